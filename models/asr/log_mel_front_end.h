// The "logmel" front end of an ASR model file (ARCHITECTURE §8), as the recipes write it
// (models/recipes/common/frontend.py FRONTEND_PARAMS):
//   {"type": "logmel", "sample_rate": 16000, "frame_length": 400, "frame_shift": 160,
//    "window": "hann_periodic", "n_fft": 512, "power": 2.0, "n_mels": 80, "mel_scale": "htk",
//    "f_min": 20.0, "f_max": 7600.0, "mel_norm": null, "log": "natural", "log_floor": 1e-6,
//    "dither": 0.0, "preemphasis": 0.0, "center": false}
// Absent fields take these values; present ones must be supported by dsp::FeatureExtractor.
#ifndef AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_
#define AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "dsp/feature_extractor.h"
#include "dsp/resampler.h"
#include "nn/network.h"

namespace auris::models {

// The FeatureConfig (log-mel, no CMVN) for the model file's front_end JSON. INVALID_ARGUMENT
// naming `model`, the field and what is allowed.
absl::StatusOr<dsp::FeatureConfig> LogMelFeatureConfig(std::string_view front_end_json,
                                                       std::string_view model);

// The FeatureConfig a network loaded from a model file needs: its front_end must be "logmel"
// (above) at the file's sample_rate_hz with n_mels = the network's input channels, plus the
// file's global CMVN when it has the tensors cmvn.mean and cmvn.std (both or neither, n_mels
// values each). `what` prefixes every error, e.g. "asr model \"asr\"" ->
// INVALID_ARGUMENT "asr model \"asr\": the network takes 40 channels but ...".
absl::StatusOr<dsp::FeatureConfig> NetworkLogMelConfig(const nn::Network& network,
                                                       std::string_view what,
                                                       std::string_view model);

// Per stream: input at input_rate_hz resampled to the front end's rate (when they differ),
// then log-mel rows. One thread at a time; rows depend only on the samples, not on how they
// were split.
class LogMelInput {
 public:
  // INVALID_ARGUMENT for a rate outside 8000..48000 or a bad config.
  static absl::StatusOr<std::unique_ptr<LogMelInput>> Create(int input_rate_hz,
                                                             const dsp::FeatureConfig& config);
  // Appends the rows `samples` complete to `rows` (row-major (T, feature_dim)); with `flush`,
  // the resampler's tail and the extractor's held-back rows too (a partial frame is dropped).
  void Accept(std::span<const float> samples, bool flush, std::vector<float>* rows);
  int feature_dim() const { return features_->feature_dim(); }

 private:
  LogMelInput() = default;
  std::unique_ptr<dsp::Resampler> to_model_rate_;  // null when the input is at the model rate
  std::unique_ptr<dsp::FeatureExtractor> features_;
  std::vector<float> resampled_;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_LOG_MEL_FRONT_END_H_
