// Shared input checks and log-space arithmetic for the CTC decoders and the CTC loss.
// Log-probabilities are natural logs, laid out (T, V) row-major, V = blank + symbols.
// Free functions; thread-safe.
#ifndef AURIS_NN_CTC_COMMON_H_
#define AURIS_NN_CTC_COMMON_H_

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "absl/status/status.h"

namespace auris::nn {

inline constexpr double kCtcLogZero = -std::numeric_limits<double>::infinity();

// log(exp(a) + exp(b)) without overflow; either argument may be -inf.
inline double LogAdd(double a, double b) {
  if (a == kCtcLogZero) return b;
  if (b == kCtcLogZero) return a;
  return a > b ? a + std::log1p(std::exp(b - a)) : b + std::log1p(std::exp(a - b));
}

// OK if `blank` is in [0, vocab_size) and `log_probs` holds num_frames * vocab_size values
// with num_frames >= 0, vocab_size >= 1; INVALID_ARGUMENT naming the mismatch otherwise.
absl::Status CheckCtcLogProbs(std::span<const float> log_probs, int num_frames, int vocab_size,
                              int blank);
// OK if every label is in [0, vocab_size) and none equals `blank`.
absl::Status CheckCtcLabels(std::span<const int32_t> labels, int vocab_size, int blank);

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_COMMON_H_
