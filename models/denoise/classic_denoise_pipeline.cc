#include "models/denoise/classic_denoise_pipeline.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "dsp/audio_format.h"
#include "dsp/resampler.h"

namespace auris::models {
namespace {

class ClassicDenoiseStream : public DenoiseStream {
 public:
  ClassicDenoiseStream(std::unique_ptr<dsp::NoiseSuppressor> suppressor,
                       std::unique_ptr<dsp::Resampler> resampler)
      : suppressor_(std::move(suppressor)),
        resampler_(std::move(resampler)),
        to_skip_(suppressor_->DelaySamples()) {}

  absl::Status Accept(std::span<const float> input, std::vector<float>* out) override {
    enhanced_.clear();
    suppressor_->Accept(input, &enhanced_);
    Emit(out);
    return absl::OkStatus();
  }

  absl::Status Flush(std::vector<float>* out) override {
    enhanced_.clear();
    suppressor_->Flush(&enhanced_);
    Emit(out);
    if (resampler_) resampler_->Flush(out);
    return absl::OkStatus();
  }

  int DelaySamples() const override { return suppressor_->DelaySamples(); }

 private:
  void Emit(std::vector<float>* out) {
    std::span<const float> ready(enhanced_);
    const size_t skip = std::min<size_t>(to_skip_, ready.size());
    to_skip_ -= static_cast<int>(skip);
    ready = ready.subspan(skip);
    if (resampler_) {
      resampler_->Accept(ready, out);
    } else {
      out->insert(out->end(), ready.begin(), ready.end());
    }
  }

  std::unique_ptr<dsp::NoiseSuppressor> suppressor_;
  std::unique_ptr<dsp::Resampler> resampler_;
  int to_skip_;
  std::vector<float> enhanced_;
};

absl::Status CheckRate(const char* what, int rate_hz) {
  if (rate_hz >= dsp::kMinSampleRateHz && rate_hz <= dsp::kMaxSampleRateHz) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " sample rate ", rate_hz, " Hz is outside ",
                                                 dsp::kMinSampleRateHz, "..",
                                                 dsp::kMaxSampleRateHz));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ClassicDenoisePipeline>> ClassicDenoisePipeline::Create(
    ModelInfo info, const dsp::NoiseSuppressorConfig& config) {
  if (info.task != kTaskDenoise) {
    return absl::InvalidArgumentError(absl::StrCat("model '", info.name, "' has task '", info.task,
                                                   "'; classic is a denoise model"));
  }
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<ClassicDenoisePipeline>(
      new ClassicDenoisePipeline(std::move(info), config));
}

absl::StatusOr<std::unique_ptr<DenoiseStream>> ClassicDenoisePipeline::CreateStream(
    int input_rate_hz, int output_rate_hz) const {
  if (absl::Status s = CheckRate("input", input_rate_hz); !s.ok()) return s;
  if (absl::Status s = CheckRate("output", output_rate_hz); !s.ok()) return s;
  dsp::NoiseSuppressorConfig config = config_;
  config.sample_rate_hz = input_rate_hz;
  absl::StatusOr<std::unique_ptr<dsp::NoiseSuppressor>> suppressor =
      dsp::NoiseSuppressor::Create(config);
  if (!suppressor.ok()) return suppressor.status();
  std::unique_ptr<dsp::Resampler> resampler;
  if (output_rate_hz != input_rate_hz) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(input_rate_hz, output_rate_hz);
    if (!r.ok()) return r.status();
    resampler = *std::move(r);
  }
  return std::make_unique<ClassicDenoiseStream>(*std::move(suppressor), std::move(resampler));
}

}  // namespace auris::models
