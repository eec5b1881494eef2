// Best-path (greedy) CTC decoding: per-frame argmax, collapse repeats, drop blanks.
// Input: log-probabilities (T, V) row-major, natural log, V = blank + symbols.
// CtcGreedyDecoder is immutable after Create and safe to share across threads.
#ifndef AURIS_NN_CTC_GREEDY_H_
#define AURIS_NN_CTC_GREEDY_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

struct CtcGreedyConfig {
  int blank = 0;  // index of the blank symbol in V

  absl::Status Validate() const;
  std::string ToString() const;
};

struct CtcGreedyResult {
  std::vector<int32_t> symbols;  // emitted symbol ids, blanks and repeats removed
  std::vector<int32_t> frames;   // frame index (0-based) where each symbol was first emitted
  double log_prob = 0.0;         // natural-log probability of the best frame path
};

class CtcGreedyDecoder {
 public:
  static absl::StatusOr<std::unique_ptr<CtcGreedyDecoder>> Create(const CtcGreedyConfig& config);

  // `log_probs` is (num_frames, vocab_size) row-major. INVALID_ARGUMENT on a size mismatch or
  // a blank index outside [0, vocab_size).
  absl::StatusOr<CtcGreedyResult> Decode(std::span<const float> log_probs, int num_frames,
                                         int vocab_size) const;

  const CtcGreedyConfig& config() const { return config_; }

 private:
  explicit CtcGreedyDecoder(const CtcGreedyConfig& config) : config_(config) {}
  CtcGreedyConfig config_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_GREEDY_H_
