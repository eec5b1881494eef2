// Streaming regression deltas (HTK / librosa "delta" with edge replication):
//   d[t] = sum_{n=1..N} n (c[t+n] - c[t-n]) / (2 sum_{n=1..N} n^2),  c[i<0] = c[0], c[i>T-1] =
//   c[T-1]
// and delta-deltas as the deltas of d (edges replicated again). Each output row is
// [c[t], d[t], dd[t]] (order + 1 blocks of dim). Look-ahead: order * window frames — row t is
// emitted once frame t + order * window has arrived; Flush() drains the last ones.
// Per-stream (not thread-safe); allocates only in Create().
#ifndef AURIS_DSP_DELTA_FEATURES_H_
#define AURIS_DSP_DELTA_FEATURES_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::dsp {

struct DeltaConfig {
  int dim = 80;    // static features per frame, 1..4096
  int order = 2;   // 0 (pass-through), 1 (deltas) or 2 (deltas + delta-deltas)
  int window = 2;  // N, frames each side, 1..10

  int output_dim() const { return dim * (order + 1); }
  int lookahead_frames() const { return order * window; }
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class DeltaFeatures {
 public:
  static absl::StatusOr<std::unique_ptr<DeltaFeatures>> Create(const DeltaConfig& config);

  // frame: (dim,) static features of the next frame; appends 0 or 1 rows of output_dim() to
  // `out` (row-major (T, output_dim)).
  void Accept(std::span<const float> frame, std::vector<float>* out);
  // End of input: appends the rows still held back by the look-ahead, then resets.
  void Flush(std::vector<float>* out);
  void Reset();
  const DeltaConfig& config() const { return config_; }

 private:
  explicit DeltaFeatures(const DeltaConfig& config);
  // Row t of the statics or of the deltas, t clamped to [0, last].
  const float* Row(long long t, long long last) const;
  void ComputeDelta1(long long t, long long last, float* delta) const;
  void EmitRow(long long t, long long last, std::vector<float>* out);

  DeltaConfig config_;
  int capacity_;                // frames kept: 2 * order * window + 1
  float inverse_denominator_;   // 1 / (2 sum n^2)
  std::vector<float> history_;  // ring (capacity_, dim)
  std::vector<float> delta1_;   // (2 * window + 1, dim): deltas of frames t - N .. t + N
  long long received_ = 0;
  long long emitted_ = 0;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_DELTA_FEATURES_H_
