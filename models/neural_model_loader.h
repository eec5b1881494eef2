// Loading of a neural model file for a pipeline, completing the descriptor's ModelInfo from
// the file. Pure function; thread-safe.
#ifndef AURIS_MODELS_NEURAL_MODEL_LOADER_H_
#define AURIS_MODELS_NEURAL_MODEL_LOADER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "models/model_info.h"
#include "nn/network.h"

namespace auris::models {

// Loads the model file at `path` into a Network. Checks that the file's task equals
// info->task and fills sample_rate_hz, streaming (true), parameter_count (every tensor but the
// network's extra ones, e.g. CMVN) and metrics (the file's held-out metrics override the
// descriptor's). NOT_FOUND / INVALID_ARGUMENT naming `path`.
absl::StatusOr<std::unique_ptr<nn::Network>> LoadNeuralModel(const std::string& path,
                                                             ModelInfo* info);

}  // namespace auris::models

#endif  // AURIS_MODELS_NEURAL_MODEL_LOADER_H_
