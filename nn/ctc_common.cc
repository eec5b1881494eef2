#include "nn/ctc_common.h"

#include <cstddef>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::Status CheckCtcLogProbs(std::span<const float> log_probs, int num_frames, int vocab_size,
                              int blank) {
  if (num_frames < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("num_frames is ", num_frames, "; allowed: >= 0"));
  }
  if (vocab_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("vocab_size is ", vocab_size, "; allowed: >= 1 (blank + symbols)"));
  }
  if (blank < 0 || blank >= vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blank index ", blank, " is out of range; allowed: [0, ", vocab_size - 1, "]"));
  }
  const std::size_t expected = static_cast<std::size_t>(num_frames) * vocab_size;
  if (log_probs.size() != expected) {
    return absl::InvalidArgumentError(absl::StrCat("log_probs has ", log_probs.size(),
                                                   " values but (T, V) = (", num_frames, ", ",
                                                   vocab_size, ") needs ", expected));
  }
  return absl::OkStatus();
}

absl::Status CheckCtcLabels(std::span<const int32_t> labels, int vocab_size, int blank) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] == blank) {
      return absl::InvalidArgumentError(absl::StrCat("label ", i, " is the blank index ", blank,
                                                     "; labels must be non-blank symbols"));
    }
    if (labels[i] < 0 || labels[i] >= vocab_size) {
      return absl::InvalidArgumentError(absl::StrCat("label ", i, " is ", labels[i],
                                                     "; allowed: [0, ", vocab_size - 1,
                                                     "] except blank ", blank));
    }
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
