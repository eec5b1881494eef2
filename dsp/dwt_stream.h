// Streaming multilevel DWT analysis with zero padding (PyWavelets mode "zero"). Level j filters
// its input x (n_j samples, zero outside [0, n_j)) with the analysis filters and keeps the odd
// samples of the full convolution:
//   a[k] = sum_i dec_lo[i] x[2k + 1 - i],  d[k] = sum_i dec_hi[i] x[2k + 1 - i],
// k < (n_j + L - 1) / 2 (L = filter length), and a feeds level j + 1. Coefficient k needs only
// x[..2k+1], so Accept emits it as soon as that sample arrives and Flush supplies the trailing
// zeros: any chunking gives exactly the coefficients of Analyze() (bit-identical). Every
// coefficient that touches the signal is kept, so for orthogonal filters the adjoint map
// reconstructs x exactly. Periodization (dsp/dwt.h) cannot stream: its first coefficients wrap
// around to the end of the signal. One per stream; not thread-safe.
#ifndef AURIS_DSP_DWT_STREAM_H_
#define AURIS_DSP_DWT_STREAM_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/dwt.h"
#include "dsp/wavelet_filters.h"

namespace auris::dsp {

struct DwtStreamConfig {
  std::string wavelet = "db4";  // db1..db10, haar, sym2..sym10
  int levels = 5;               // 1..16

  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class DwtStream {
 public:
  static absl::StatusOr<std::unique_ptr<DwtStream>> Create(const DwtStreamConfig& config);
  // Whole-signal helper: Accept(x) then Flush() into fresh coefficients; `lengths` holds each
  // level's input length (samples), details[0] is the finest level.
  static absl::StatusOr<DwtCoefficients> Analyze(const DwtStreamConfig& config,
                                                 std::span<const float> x);

  // Appends every coefficient completed by `samples` to out->details[j] and (coarsest level)
  // out->approximation; `out` is sized to `levels` on first use; lengths is not touched.
  void Accept(std::span<const float> samples, DwtCoefficients* out);
  // End of input: appends the coefficients that involve the trailing zeros, sets out->lengths
  // to the input length of each level, then resets. Nothing is emitted for an empty stream.
  void Flush(DwtCoefficients* out);
  void Reset();
  const DwtStreamConfig& config() const { return config_; }

 private:
  // One level: history_[head_, tail_) are input samples from the next coefficient's first tap
  // on (L - 2 leading zeros at the start).
  struct Level {
    std::vector<float> history;
    int head = 0;
    int tail = 0;
    long long received = 0;  // input samples
  };

  DwtStream(const DwtStreamConfig& config, WaveletFilters filters);
  // Feeds level j; appends its approximations to `approximations` and details to `details`.
  void FeedLevel(Level* level, std::span<const float> x, std::vector<float>* approximations,
                 std::vector<float>* details);

  DwtStreamConfig config_;
  WaveletFilters filters_;
  std::vector<Level> levels_;
  std::vector<float> scratch_[2];  // approximations passed between levels
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_DWT_STREAM_H_
