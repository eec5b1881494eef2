// Interface of a denoising model: a shared, immutable pipeline and its per-stream objects.
// DenoisePipeline is thread-safe (const); a DenoiseStream is used by one thread at a time.
#ifndef AURIS_MODELS_DENOISE_DENOISE_PIPELINE_H_
#define AURIS_MODELS_DENOISE_DENOISE_PIPELINE_H_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "models/model_info.h"

namespace auris::models {

class DenoiseStream {
 public:
  virtual ~DenoiseStream() = default;
  // Mono samples in [-1, 1] at the stream's input rate. Appends enhanced samples at the output
  // rate to `out`, already aligned with the input (the model's delay is removed): after
  // Flush, the total output is the input's length converted to the output rate. A non-OK
  // status (a failed network step) ends the stream.
  virtual absl::Status Accept(std::span<const float> input, std::vector<float>* out) = 0;
  virtual absl::Status Flush(std::vector<float>* out) = 0;
  // Input samples that must arrive before an output sample is released (latency).
  virtual int DelaySamples() const = 0;
};

class DenoisePipeline {
 public:
  virtual ~DenoisePipeline() = default;
  virtual const ModelInfo& info() const = 0;
  // Input and output rates in 8000..48000 Hz; INVALID_ARGUMENT otherwise.
  virtual absl::StatusOr<std::unique_ptr<DenoiseStream>> CreateStream(int input_rate_hz,
                                                                      int output_rate_hz) const = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_DENOISE_DENOISE_PIPELINE_H_
