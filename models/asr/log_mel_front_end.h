// The "logmel" front end of an ASR model file (ARCHITECTURE §8), as the recipes write it
// (models/recipes/common/frontend.py FRONTEND_PARAMS):
//   {"type": "logmel", "sample_rate": 16000, "frame_length": 400, "frame_shift": 160,
//    "window": "hann_periodic", "n_fft": 512, "power": 2.0, "n_mels": 80, "mel_scale": "htk",
//    "f_min": 20.0, "f_max": 7600.0, "mel_norm": null, "log": "natural", "log_floor": 1e-6,
//    "dither": 0.0, "preemphasis": 0.0, "center": false}
// Absent fields take these values; present ones must be supported by dsp::FeatureExtractor.
#ifndef AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_
#define AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "dsp/feature_extractor.h"

namespace auris::models {

// The FeatureConfig (log-mel, no CMVN) for the model file's front_end JSON. INVALID_ARGUMENT
// naming `model`, the field and what is allowed.
absl::StatusOr<dsp::FeatureConfig> LogMelFeatureConfig(std::string_view front_end_json,
                                                       std::string_view model);

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_
