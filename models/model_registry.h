// All models loaded from a models directory, looked up by task and name.
// Immutable after Load(); thread-safe.
//
// A models directory holds one JSON descriptor per model (*.json):
//   {"auris_model": 1, "name": "classic", "task": "denoise", "type": "classic_denoiser",
//    "version": "1.0.0", "default": true, "description": "...", "params": {...},
//    "metrics": {"key": "value", ...}}
// Neural models will add a "file" naming their weights next to the descriptor.
#ifndef AURIS_MODELS_MODEL_REGISTRY_H_
#define AURIS_MODELS_MODEL_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "models/denoise/denoise_pipeline.h"
#include "models/model_info.h"

namespace auris::models {

class ModelRegistry {
 public:
  // INVALID_ARGUMENT / NOT_FOUND with the file name and field for every malformed
  // descriptor, an unknown type or task, duplicate names, or two defaults for one task.
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Load(const std::string& models_dir);

  // `task` "" lists every model; otherwise "asr", "emotion" or "denoise".
  std::vector<ModelInfo> List(std::string_view task) const;
  // True if at least one model of `task` is loaded.
  bool HasTask(std::string_view task) const;
  // `name` "" = the task's default. NOT_FOUND naming the available models;
  // FAILED_PRECONDITION "no denoise model is loaded" when there is none.
  absl::StatusOr<const DenoisePipeline*> FindDenoise(std::string_view name) const;
  // Runs one second of audio through each model so the first request is fast.
  absl::Status WarmUp() const;

  const std::string& models_dir() const { return models_dir_; }

 private:
  std::string models_dir_;
  std::vector<std::unique_ptr<DenoisePipeline>> denoisers_;
};

// Checks a task name from a request: "", "asr", "emotion", "denoise" are allowed.
absl::Status ValidateTaskName(std::string_view task);

}  // namespace auris::models

#endif  // AURIS_MODELS_MODEL_REGISTRY_H_
