// Viterbi forced alignment for CTC: the most probable frame path that collapses to a given
// label sequence. Input: log-probabilities (T, V) row-major, natural log, V = blank +
// symbols; labels without blanks. CtcForcedAligner is immutable and safe to share.
#ifndef AURIS_NN_CTC_FORCED_ALIGNER_H_
#define AURIS_NN_CTC_FORCED_ALIGNER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

struct CtcForcedAlignerConfig {
  int blank = 0;  // index of the blank symbol in V

  absl::Status Validate() const;
  std::string ToString() const;
};

struct CtcAlignment {
  std::vector<int32_t> frame_symbols;  // (T): symbol id emitted at each frame (blank included)
  std::vector<int32_t> start_frames;   // (L): first frame of each label
  std::vector<int32_t> end_frames;     // (L): last frame of each label (inclusive)
  double log_prob = 0.0;               // natural-log probability of the best path
};

class CtcForcedAligner {
 public:
  static absl::StatusOr<std::unique_ptr<CtcForcedAligner>> Create(
      const CtcForcedAlignerConfig& config);

  // INVALID_ARGUMENT on bad sizes, blank out of range, a blank label, or T shorter than
  // L + (number of adjacent repeated labels), the fewest frames any path needs.
  absl::StatusOr<CtcAlignment> Align(std::span<const float> log_probs, int num_frames,
                                     int vocab_size, std::span<const int32_t> labels) const;

  const CtcForcedAlignerConfig& config() const { return config_; }

 private:
  explicit CtcForcedAligner(const CtcForcedAlignerConfig& config) : config_(config) {}
  CtcForcedAlignerConfig config_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_FORCED_ALIGNER_H_
