#include "nn/network_runner.h"

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::Status NetworkRunner::CheckOwnState(const RunnerState* state, const char* what) const {
  if (state == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the state is null; use this runner's InitState"));
  }
  if (state->runner() != this) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the state was made by another runner; use this runner's InitState"));
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
