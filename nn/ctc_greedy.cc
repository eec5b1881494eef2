#include "nn/ctc_greedy.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "nn/ctc_common.h"

namespace auris::nn {

absl::Status CtcGreedyConfig::Validate() const {
  if (blank < 0) {
    return absl::InvalidArgumentError(absl::StrCat("blank is ", blank, "; allowed: >= 0"));
  }
  return absl::OkStatus();
}

std::string CtcGreedyConfig::ToString() const {
  return absl::StrCat("CtcGreedyConfig(blank=", blank, ")");
}

absl::StatusOr<std::unique_ptr<CtcGreedyDecoder>> CtcGreedyDecoder::Create(
    const CtcGreedyConfig& config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<CtcGreedyDecoder>(new CtcGreedyDecoder(config));
}

absl::StatusOr<CtcGreedyResult> CtcGreedyDecoder::Decode(std::span<const float> log_probs,
                                                         int num_frames, int vocab_size) const {
  if (absl::Status status = CheckCtcLogProbs(log_probs, num_frames, vocab_size, config_.blank);
      !status.ok()) {
    return status;
  }
  CtcGreedyResult result;
  int32_t previous = config_.blank;
  for (int t = 0; t < num_frames; ++t) {
    const float* row = log_probs.data() + static_cast<std::size_t>(t) * vocab_size;
    int32_t best = 0;
    for (int v = 1; v < vocab_size; ++v) {
      if (row[v] > row[best]) best = v;
    }
    result.log_prob += row[best];
    if (best != config_.blank && best != previous) {
      result.symbols.push_back(best);
      result.frames.push_back(t);
    }
    previous = best;
  }
  return result;
}

}  // namespace auris::nn
