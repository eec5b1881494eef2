#include "models/neural_model_loader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nn/model_file.h"

namespace auris::models {

absl::StatusOr<std::unique_ptr<nn::Network>> LoadNeuralModel(const std::string& path,
                                                             ModelInfo* info) {
  absl::StatusOr<nn::ModelFile> file = nn::LoadModelFile(path);
  if (!file.ok()) return file.status();
  if (file->metadata.task != info->task) {
    return absl::InvalidArgumentError(
        absl::StrCat("model file ", path, " has task \"", file->metadata.task,
                     "\" but its descriptor says \"", info->task, "\""));
  }
  int64_t tensors = 0;
  for (const auto& [name, tensor] : file->tensors) tensors += tensor.size();
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
  return network;
}

}  // namespace auris::models
