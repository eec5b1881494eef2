// The `auris` metadata of a model file (ARCHITECTURE §5): the JSON string stored under
// __metadata__["auris"], parsed and validated. Immutable value type; safe to share.
#ifndef AURIS_NN_MODEL_METADATA_H_
#define AURIS_NN_MODEL_METADATA_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace auris::nn {

inline constexpr int kModelFormatVersion = 1;
inline constexpr int kMinSampleRateHz = 8000;
inline constexpr int kMaxSampleRateHz = 48000;

struct ModelMetadata {
  std::string json;  // the full `auris` JSON text as stored in the file
  int format_version = 0;
  std::string task;  // "asr", "emotion", "denoise" or "vad"
  int sample_rate_hz = 0;
  std::string front_end_type;             // front_end.type, e.g. "log_mel" or "waveform"
  std::string front_end_json;             // the whole front_end object (type and parameters)
  std::string layers_json;                // the layer list ("[]" when absent)
  std::vector<std::string> vocabulary;    // output symbols (empty when absent)
  int64_t chunk_frames = 0;               // streaming.chunk_frames (0 when absent)
  int64_t look_ahead_frames = 0;          // streaming.look_ahead_frames (0 when absent)
  std::string training_data_json;         // free-form summary ("" when absent)
  std::map<std::string, double> metrics;  // held-out metrics by name
};

// Parses and validates the `auris` JSON of the model file `name` (used in messages).
// INVALID_ARGUMENT naming the field and what is allowed for every malformed case.
absl::StatusOr<ModelMetadata> ParseModelMetadata(std::string_view json_text, std::string_view name);

}  // namespace auris::nn

#endif  // AURIS_NN_MODEL_METADATA_H_
