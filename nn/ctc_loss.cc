#include "nn/ctc_loss.h"

#include <cmath>
#include <cstddef>
#include <limits>

#include "absl/strings/str_cat.h"
#include "nn/ctc_common.h"

namespace auris::nn {
namespace {

bool CanSkip(const std::vector<int32_t>& extended, int s, int blank) {
  return s >= 2 && extended[s] != blank && extended[s] != extended[s - 2];
}

double FinalLogProb(const std::vector<double>& alpha, int num_frames, int num_states) {
  if (num_frames == 0) return num_states == 1 ? 0.0 : kCtcLogZero;
  const double* last = alpha.data() + static_cast<std::size_t>(num_frames - 1) * num_states;
  return num_states == 1 ? last[0] : LogAdd(last[num_states - 1], last[num_states - 2]);
}

}  // namespace

absl::Status CtcLossConfig::Validate() const {
  if (blank < 0) {
    return absl::InvalidArgumentError(absl::StrCat("blank is ", blank, "; allowed: >= 0"));
  }
  return absl::OkStatus();
}

std::string CtcLossConfig::ToString() const {
  return absl::StrCat("CtcLossConfig(blank=", blank, ")");
}

absl::StatusOr<std::unique_ptr<CtcLoss>> CtcLoss::Create(const CtcLossConfig& config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<CtcLoss>(new CtcLoss(config));
}

absl::Status CtcLoss::CheckInput(std::span<const float> log_probs, int num_frames, int vocab_size,
                                 std::span<const int32_t> labels) const {
  if (absl::Status status = CheckCtcLogProbs(log_probs, num_frames, vocab_size, config_.blank);
      !status.ok()) {
    return status;
  }
  return CheckCtcLabels(labels, vocab_size, config_.blank);
}

std::vector<int32_t> CtcLoss::Extend(std::span<const int32_t> labels) const {
  std::vector<int32_t> extended(2 * labels.size() + 1, config_.blank);
  for (std::size_t i = 0; i < labels.size(); ++i) extended[2 * i + 1] = labels[i];
  return extended;
}

std::vector<double> CtcLoss::Forward(std::span<const float> log_probs, int num_frames,
                                     int vocab_size, const std::vector<int32_t>& extended) const {
  const int num_states = static_cast<int>(extended.size());
  std::vector<double> alpha(static_cast<std::size_t>(num_frames) * num_states, kCtcLogZero);
  if (num_frames == 0) return alpha;
  alpha[0] = log_probs[extended[0]];
  if (num_states > 1) alpha[1] = log_probs[extended[1]];
  for (int t = 1; t < num_frames; ++t) {
    const float* row = log_probs.data() + static_cast<std::size_t>(t) * vocab_size;
    const double* prev = alpha.data() + static_cast<std::size_t>(t - 1) * num_states;
    double* cur = alpha.data() + static_cast<std::size_t>(t) * num_states;
    for (int s = 0; s < num_states; ++s) {
      double sum = prev[s];
      if (s >= 1) sum = LogAdd(sum, prev[s - 1]);
      if (CanSkip(extended, s, config_.blank)) sum = LogAdd(sum, prev[s - 2]);
      cur[s] = sum == kCtcLogZero ? kCtcLogZero : sum + row[extended[s]];
    }
  }
  return alpha;
}

absl::StatusOr<double> CtcLoss::NegLogLikelihood(std::span<const float> log_probs, int num_frames,
                                                 int vocab_size,
                                                 std::span<const int32_t> labels) const {
  if (absl::Status status = CheckInput(log_probs, num_frames, vocab_size, labels); !status.ok()) {
    return status;
  }
  const std::vector<int32_t> extended = Extend(labels);
  const std::vector<double> alpha = Forward(log_probs, num_frames, vocab_size, extended);
  return -FinalLogProb(alpha, num_frames, static_cast<int>(extended.size()));
}

absl::StatusOr<CtcOccupancy> CtcLoss::Occupancy(std::span<const float> log_probs, int num_frames,
                                                int vocab_size,
                                                std::span<const int32_t> labels) const {
  if (absl::Status status = CheckInput(log_probs, num_frames, vocab_size, labels); !status.ok()) {
    return status;
  }
  const std::vector<int32_t> extended = Extend(labels);
  const int num_states = static_cast<int>(extended.size());
  const std::vector<double> alpha = Forward(log_probs, num_frames, vocab_size, extended);
  const double log_total = FinalLogProb(alpha, num_frames, num_states);
  CtcOccupancy result;
  result.neg_log_likelihood = -log_total;
  result.posteriors.assign(static_cast<std::size_t>(num_frames) * vocab_size, 0.0);
  if (log_total == kCtcLogZero || num_frames == 0) return result;

  // beta[t][s]: log P(frames t+1.. | state s at frame t), emission at t excluded.
  std::vector<double> beta(static_cast<std::size_t>(num_frames) * num_states, kCtcLogZero);
  double* last = beta.data() + static_cast<std::size_t>(num_frames - 1) * num_states;
  last[num_states - 1] = 0.0;
  if (num_states > 1) last[num_states - 2] = 0.0;
  for (int t = num_frames - 2; t >= 0; --t) {
    const float* next_row = log_probs.data() + static_cast<std::size_t>(t + 1) * vocab_size;
    const double* next = beta.data() + static_cast<std::size_t>(t + 1) * num_states;
    double* cur = beta.data() + static_cast<std::size_t>(t) * num_states;
    for (int s = 0; s < num_states; ++s) {
      double sum = next[s] + next_row[extended[s]];
      if (s + 1 < num_states) sum = LogAdd(sum, next[s + 1] + next_row[extended[s + 1]]);
      if (s + 2 < num_states && CanSkip(extended, s + 2, config_.blank)) {
        sum = LogAdd(sum, next[s + 2] + next_row[extended[s + 2]]);
      }
      cur[s] = sum;
    }
  }
  for (int t = 0; t < num_frames; ++t) {
    const std::size_t offset = static_cast<std::size_t>(t) * num_states;
    double* row = result.posteriors.data() + static_cast<std::size_t>(t) * vocab_size;
    for (int s = 0; s < num_states; ++s) {
      const double log_gamma = alpha[offset + s] + beta[offset + s] - log_total;
      if (log_gamma != kCtcLogZero && !std::isnan(log_gamma)) {
        row[extended[s]] += std::exp(log_gamma);
      }
    }
  }
  return result;
}

}  // namespace auris::nn
