// Streaming sample-rate conversion with libsoxr; keeps filter state across chunks, so feeding
// a signal in pieces gives the same output as feeding it whole. One per stream; not
// thread-safe.
#ifndef AURIS_DSP_RESAMPLER_H_
#define AURIS_DSP_RESAMPLER_H_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace auris::dsp {

class Resampler {
 public:
  // Rates in 8000..48000 Hz (INVALID_ARGUMENT otherwise). Equal rates copy samples through.
  static absl::StatusOr<std::unique_ptr<Resampler>> Create(int input_rate_hz, int output_rate_hz);
  // Appends the output samples that `input` makes available to `out`.
  void Accept(std::span<const float> input, std::vector<float>* out);
  // End of input: appends the filter's tail. The total output is then
  // round(total_input * output_rate / input_rate) samples, aligned with the input (no delay).
  void Flush(std::vector<float>* out);
  // Back to the state right after Create().
  void Reset();

  int input_rate_hz() const;
  int output_rate_hz() const;
  ~Resampler();

 private:
  struct Impl;
  explicit Resampler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whole-signal helper over the streaming class.
absl::StatusOr<std::vector<float>> Resample(std::span<const float> input, int input_rate_hz,
                                            int output_rate_hz);

}  // namespace auris::dsp

#endif  // AURIS_DSP_RESAMPLER_H_
