// All models loaded from a models directory, looked up by task and name.
// Immutable after Load(); thread-safe.
//
// A models directory holds one JSON descriptor per model (*.json):
//   {"auris_model": 1, "name": "classic", "task": "denoise", "type": "classic_denoiser",
//    "version": "1.0.0", "default": true, "description": "...", "params": {...},
//    "metrics": {"key": "value", ...}}
// Types: "classic_denoiser" (task denoise, params frame_ms, hop_ms, min_gain_db);
// "neural_denoiser" (task denoise), "emotion" (task emotion) and "asr" (task asr, optional
// "lm": an ARPA word language model), which name their model file
// with "file" (relative to the descriptor's folder) and take no params. A neural model whose
// file cannot be loaded is skipped (see skipped()), so the other models still serve.
#ifndef AURIS_MODELS_MODEL_REGISTRY_H_
#define AURIS_MODELS_MODEL_REGISTRY_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "models/asr/asr_pipeline.h"
#include "models/denoise/denoise_pipeline.h"
#include "models/emotion/emotion_pipeline.h"
#include "models/model_info.h"
#include "nn/backend.h"

namespace auris::models {

// A descriptor whose model file failed to load.
struct SkippedModel {
  std::string descriptor;  // path of the *.json
  std::string name;        // the model's name
  absl::Status status;     // why
};

class ModelRegistry {
 public:
  // INVALID_ARGUMENT / NOT_FOUND with the file name and field for every malformed
  // descriptor, an unknown type or task, duplicate names, or two defaults for one task.
  // A model file that fails to load only drops its model (listed in skipped()), as does one
  // with a layer `backend` does not implement (UNIMPLEMENTED). The neural models run on
  // `backend`; FAILED_PRECONDITION (nn::CheckBackendAvailable) when it cannot run here.
  static absl::StatusOr<std::unique_ptr<ModelRegistry>> Load(
      const std::string& models_dir, nn::BackendKind backend = nn::BackendKind::kCpu);

  // `task` "" lists every model; otherwise "asr", "emotion" or "denoise".
  std::vector<ModelInfo> List(std::string_view task) const;
  // True if at least one model of `task` is loaded.
  bool HasTask(std::string_view task) const;
  // `name` "" = the task's default. NOT_FOUND naming the available models;
  // FAILED_PRECONDITION "no denoise model is loaded" when there is none.
  absl::StatusOr<const DenoisePipeline*> FindDenoise(std::string_view name) const;
  // As FindDenoise, for emotion models ("no emotion model is loaded").
  absl::StatusOr<const EmotionPipeline*> FindEmotion(std::string_view name) const;
  // As FindDenoise, for speech recognition models ("no asr model is loaded").
  absl::StatusOr<const AsrPipeline*> FindAsr(std::string_view name) const;
  // Runs one second of audio through each model so the first request is fast.
  absl::Status WarmUp() const;

  const std::string& models_dir() const { return models_dir_; }
  const std::vector<SkippedModel>& skipped() const { return skipped_; }

 private:
  std::string models_dir_;
  std::vector<std::unique_ptr<DenoisePipeline>> denoisers_;
  std::vector<std::unique_ptr<EmotionPipeline>> emotion_;
  std::vector<std::unique_ptr<AsrPipeline>> asr_;
  std::vector<SkippedModel> skipped_;
};

// Checks a task name from a request: "", "asr", "emotion", "denoise" are allowed.
absl::Status ValidateTaskName(std::string_view task);

}  // namespace auris::models

#endif  // AURIS_MODELS_MODEL_REGISTRY_H_
