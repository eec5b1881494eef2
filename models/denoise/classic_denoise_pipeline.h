// The "classic" denoiser: dsp::NoiseSuppressor (MMSE-LSA + noise tracking) run at the
// input's own sample rate, then resampled to the output rate if that differs.
// Immutable after Create(); thread-safe. Streams are independent.
#ifndef AURIS_MODELS_DENOISE_CLASSIC_DENOISE_PIPELINE_H_
#define AURIS_MODELS_DENOISE_CLASSIC_DENOISE_PIPELINE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "dsp/noise_suppressor.h"
#include "models/denoise/denoise_pipeline.h"

namespace auris::models {

class ClassicDenoisePipeline : public DenoisePipeline {
 public:
  // `info.task` must be "denoise". The suppressor config's sample rate is replaced per stream.
  static absl::StatusOr<std::unique_ptr<ClassicDenoisePipeline>> Create(
      ModelInfo info, const dsp::NoiseSuppressorConfig& config);

  const ModelInfo& info() const override { return info_; }
  absl::StatusOr<std::unique_ptr<DenoiseStream>> CreateStream(int input_rate_hz,
                                                              int output_rate_hz) const override;

 private:
  ClassicDenoisePipeline(ModelInfo info, const dsp::NoiseSuppressorConfig& config)
      : info_(std::move(info)), config_(config) {}
  ModelInfo info_;
  dsp::NoiseSuppressorConfig config_;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_DENOISE_CLASSIC_DENOISE_PIPELINE_H_
