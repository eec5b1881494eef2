#include "models/neural_model_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nn/cpu_network_runner.h"
#include "nn/model_file.h"

#ifdef AURIS_HAVE_CUDA
#include "nn/cuda/cuda_network_runner.h"
#endif

namespace auris::models {
namespace {

// Null for the CPU; for kCuda a runner holding its own device copy of `file`'s weights.
// The caller has checked nn::CheckBackendAvailable(backend).
absl::StatusOr<std::unique_ptr<const nn::NetworkRunner>> DeviceRunner(nn::BackendKind backend,
                                                                      const nn::ModelFile& file) {
  if (backend == nn::BackendKind::kCpu) return nullptr;
#ifdef AURIS_HAVE_CUDA
  absl::StatusOr<std::unique_ptr<nn::cuda::CudaNetworkRunner>> runner =
      nn::cuda::CudaNetworkRunner::FromModelFile(file);
  if (!runner.ok()) return runner.status();
  return std::unique_ptr<const nn::NetworkRunner>(*std::move(runner));
#else
  return absl::InternalError("CheckBackendAvailable accepted cuda in a build without it");
#endif
}

}  // namespace

std::unique_ptr<const nn::NetworkRunner> RunnerOrCpu(
    std::unique_ptr<const nn::NetworkRunner> runner, const nn::Network* network) {
  if (runner != nullptr) return runner;
  return std::make_unique<nn::CpuNetworkRunner>(network);
}

absl::StatusOr<NeuralNetwork> LoadNeuralModel(const std::string& path, ModelInfo* info,
                                              nn::BackendKind backend) {
  if (absl::Status s = nn::CheckBackendAvailable(backend); !s.ok()) return s;
  absl::StatusOr<nn::ModelFile> file = nn::LoadModelFile(path);
  if (!file.ok()) return file.status();
  if (file->metadata.task != info->task) {
    return absl::InvalidArgumentError(
        absl::StrCat("model file ", path, " has task \"", file->metadata.task,
                     "\" but its descriptor says \"", info->task, "\""));
  }
  int64_t tensors = 0;
  for (const auto& [name, tensor] : file->tensors) tensors += tensor.size();
  NeuralNetwork loaded;
  absl::StatusOr<std::unique_ptr<const nn::NetworkRunner>> runner = DeviceRunner(backend, *file);
  if (!runner.ok()) return runner.status();
  loaded.runner = *std::move(runner);
  absl::StatusOr<std::unique_ptr<nn::Network>> network =
      nn::Network::FromModelFile(*std::move(file));
  if (!network.ok()) return network.status();
  int64_t extra = 0;
  for (const auto& [name, tensor] : (*network)->extra_tensors()) extra += tensor.size();
  const nn::ModelMetadata& meta = (*network)->metadata();
  info->sample_rate_hz = meta.sample_rate_hz;
  info->streaming = true;
  info->parameter_count = tensors - extra;
  for (const auto& [key, value] : meta.metrics) info->metrics[key] = absl::StrFormat("%g", value);
  loaded.network = *std::move(network);
  return loaded;
}

}  // namespace auris::models
