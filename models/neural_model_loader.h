// Loading of a neural model file for a pipeline on the chosen backend, completing the
// descriptor's ModelInfo from the file. Pure functions; thread-safe.
#ifndef AURIS_MODELS_NEURAL_MODEL_LOADER_H_
#define AURIS_MODELS_NEURAL_MODEL_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "models/model_info.h"
#include "nn/backend.h"
#include "nn/network.h"
#include "nn/network_runner.h"

namespace auris::models {

// A model file's network for a pipeline. `network` (host weights) describes the model:
// metadata, channels, subsampling, extra tensors such as CMVN. `runner` executes it: null for
// the CPU (the pipeline runs `network` through nn::CpuNetworkRunner), else a device copy.
struct NeuralNetwork {
  std::unique_ptr<const nn::Network> network;
  std::unique_ptr<const nn::NetworkRunner> runner;
};

// Loads the model file at `path`. Checks that the file's task equals info->task and fills
// sample_rate_hz, streaming (true), parameter_count (every tensor but the network's extra
// ones, e.g. CMVN) and metrics (the file's held-out metrics override the descriptor's).
// NOT_FOUND / INVALID_ARGUMENT naming `path`. For BackendKind::kCuda also uploads it to the
// device: FAILED_PRECONDITION (nn::CheckBackendAvailable's message: no CUDA in this build or
// no device) before reading anything, UNIMPLEMENTED for a layer the CUDA backend lacks.
absl::StatusOr<NeuralNetwork> LoadNeuralModel(const std::string& path, ModelInfo* info,
                                              nn::BackendKind backend = nn::BackendKind::kCpu);

// `runner` if not null, else a CpuNetworkRunner over `network` (which must outlive it).
std::unique_ptr<const nn::NetworkRunner> RunnerOrCpu(
    std::unique_ptr<const nn::NetworkRunner> runner, const nn::Network* network);

}  // namespace auris::models

#endif  // AURIS_MODELS_NEURAL_MODEL_LOADER_H_
