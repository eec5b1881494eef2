// CTC negative log-likelihood (forward algorithm) and per-frame posterior occupancy
// (forward-backward), both in log space with double accumulators.
// Input: log-probabilities (T, V) row-major, natural log, V = blank + symbols; labels are
// symbol ids without blanks. CtcLoss is immutable after Create and safe to share.
#ifndef AURIS_NN_CTC_LOSS_H_
#define AURIS_NN_CTC_LOSS_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

struct CtcLossConfig {
  int blank = 0;  // index of the blank symbol in V

  absl::Status Validate() const;
  std::string ToString() const;
};

struct CtcOccupancy {
  double neg_log_likelihood = 0.0;  // -log P(labels | x), +inf when no path exists
  // (T, V) row-major posteriors P(symbol v emitted at frame t | labels, x); each row sums
  // to 1 when a path exists, all zeros otherwise. Equals -d(nll)/d(log_probs[t, v]).
  std::vector<double> posteriors;
};

class CtcLoss {
 public:
  static absl::StatusOr<std::unique_ptr<CtcLoss>> Create(const CtcLossConfig& config);

  // -log P(labels | log_probs); +inf (as torch with zero_infinity=False) when T is too short
  // for the labels. INVALID_ARGUMENT on bad sizes, blank out of range, or a blank label.
  absl::StatusOr<double> NegLogLikelihood(std::span<const float> log_probs, int num_frames,
                                          int vocab_size, std::span<const int32_t> labels) const;
  // Forward-backward: the loss and the per-frame symbol posteriors.
  absl::StatusOr<CtcOccupancy> Occupancy(std::span<const float> log_probs, int num_frames,
                                         int vocab_size, std::span<const int32_t> labels) const;

  const CtcLossConfig& config() const { return config_; }

 private:
  explicit CtcLoss(const CtcLossConfig& config) : config_(config) {}
  absl::Status CheckInput(std::span<const float> log_probs, int num_frames, int vocab_size,
                          std::span<const int32_t> labels) const;
  // alpha (T, S) in log space, S = 2 * labels.size() + 1.
  std::vector<double> Forward(std::span<const float> log_probs, int num_frames, int vocab_size,
                              const std::vector<int32_t>& extended) const;
  std::vector<int32_t> Extend(std::span<const int32_t> labels) const;

  CtcLossConfig config_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_LOSS_H_
