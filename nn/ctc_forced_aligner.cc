#include "nn/ctc_forced_aligner.h"

#include <cstddef>

#include "absl/strings/str_cat.h"
#include "nn/ctc_common.h"

namespace auris::nn {

absl::Status CtcForcedAlignerConfig::Validate() const {
  if (blank < 0) {
    return absl::InvalidArgumentError(absl::StrCat("blank is ", blank, "; allowed: >= 0"));
  }
  return absl::OkStatus();
}

std::string CtcForcedAlignerConfig::ToString() const {
  return absl::StrCat("CtcForcedAlignerConfig(blank=", blank, ")");
}

absl::StatusOr<std::unique_ptr<CtcForcedAligner>> CtcForcedAligner::Create(
    const CtcForcedAlignerConfig& config) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<CtcForcedAligner>(new CtcForcedAligner(config));
}

absl::StatusOr<CtcAlignment> CtcForcedAligner::Align(std::span<const float> log_probs,
                                                     int num_frames, int vocab_size,
                                                     std::span<const int32_t> labels) const {
  const int blank = config_.blank;
  if (absl::Status status = CheckCtcLogProbs(log_probs, num_frames, vocab_size, blank);
      !status.ok()) {
    return status;
  }
  if (absl::Status status = CheckCtcLabels(labels, vocab_size, blank); !status.ok()) {
    return status;
  }
  const int num_labels = static_cast<int>(labels.size());
  int needed = num_labels;
  for (int i = 1; i < num_labels; ++i) needed += labels[i] == labels[i - 1] ? 1 : 0;
  if (num_frames == 0 && num_labels == 0) return CtcAlignment{};
  if (num_frames < needed) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cannot align ", num_labels, " labels to ", num_frames, " frames; needs >= ", needed,
        " frames (one per label plus one blank between each adjacent repeat)"));
  }

  const int num_states = 2 * num_labels + 1;
  auto state_symbol = [&](int s) { return s % 2 == 0 ? blank : labels[s / 2]; };
  auto can_skip = [&](int s) { return s >= 2 && s % 2 == 1 && labels[s / 2] != labels[s / 2 - 1]; };
  std::vector<double> score(static_cast<std::size_t>(num_frames) * num_states, kCtcLogZero);
  std::vector<int8_t> step(score.size(), 0);  // 0: stay, 1: from s-1, 2: from s-2
  score[0] = log_probs[blank];
  if (num_states > 1) score[1] = log_probs[labels[0]];
  for (int t = 1; t < num_frames; ++t) {
    const float* row = log_probs.data() + static_cast<std::size_t>(t) * vocab_size;
    const double* prev = score.data() + static_cast<std::size_t>(t - 1) * num_states;
    double* cur = score.data() + static_cast<std::size_t>(t) * num_states;
    int8_t* cur_step = step.data() + static_cast<std::size_t>(t) * num_states;
    for (int s = 0; s < num_states; ++s) {
      double best = prev[s];
      int8_t from = 0;
      if (s >= 1 && prev[s - 1] > best) best = prev[s - 1], from = 1;
      if (can_skip(s) && prev[s - 2] > best) best = prev[s - 2], from = 2;
      cur[s] = best == kCtcLogZero ? kCtcLogZero : best + row[state_symbol(s)];
      cur_step[s] = from;
    }
  }

  const double* last = score.data() + static_cast<std::size_t>(num_frames - 1) * num_states;
  int s = num_states - 1;
  if (num_states > 1 && last[num_states - 2] > last[num_states - 1]) s = num_states - 2;
  CtcAlignment alignment;
  alignment.log_prob = last[s];
  alignment.frame_symbols.assign(num_frames, blank);
  alignment.start_frames.assign(num_labels, -1);
  alignment.end_frames.assign(num_labels, -1);
  for (int t = num_frames - 1; t >= 0; --t) {
    alignment.frame_symbols[t] = state_symbol(s);
    if (s % 2 == 1) {
      const int label = s / 2;
      alignment.start_frames[label] = t;
      if (alignment.end_frames[label] < 0) alignment.end_frames[label] = t;
    }
    if (t > 0) s -= step[static_cast<std::size_t>(t) * num_states + s];
  }
  return alignment;
}

}  // namespace auris::nn
