// What a loaded model says about itself (mirrors auris.v1.ModelInfo). Plain value type.
#ifndef AURIS_MODELS_MODEL_INFO_H_
#define AURIS_MODELS_MODEL_INFO_H_

#include <cstdint>
#include <map>
#include <string>

namespace auris::models {

inline constexpr const char* kTaskAsr = "asr";
inline constexpr const char* kTaskEmotion = "emotion";
inline constexpr const char* kTaskDenoise = "denoise";
// Not served by the registry (no auris.v1 service): the neural VAD (models/vad) is a library
// component.
inline constexpr const char* kTaskVad = "vad";

struct ModelInfo {
  std::string name;        // unique within a registry, e.g. "classic"
  std::string task;        // kTaskAsr, kTaskEmotion or kTaskDenoise
  std::string version;     // e.g. "1.0.0"
  int sample_rate_hz = 0;  // 0 = runs at the input's own rate
  bool streaming = false;  // usable from the streaming RPCs
  int64_t parameter_count = 0;
  bool is_default = false;                     // the model used when a request names none
  std::map<std::string, std::string> metrics;  // held-out figures from the model card
  std::string description;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_MODEL_INFO_H_
