#include "dsp/dct.h"

#include <cmath>
#include <numbers>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace auris::dsp {

absl::StatusOr<std::unique_ptr<Dct>> Dct::Create(int n_in, int n_out) {
  if (n_in < 1 || n_in > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("Dct n_in = ", n_in, " outside 1..4096"));
  }
  if (n_out < 1 || n_out > n_in) {
    return absl::InvalidArgumentError(
        absl::StrCat("Dct n_out = ", n_out, " outside 1..n_in (", n_in, ")"));
  }
  return std::unique_ptr<Dct>(new Dct(n_in, n_out));
}

Dct::Dct(int n_in, int n_out)
    : n_in_(n_in), n_out_(n_out), basis_(static_cast<std::size_t>(n_in) * n_out) {
  for (int k = 0; k < n_out; ++k) {
    const double scale = std::sqrt((k == 0 ? 1.0 : 2.0) / n_in);
    for (int n = 0; n < n_in; ++n) {
      basis_[static_cast<std::size_t>(k) * n_in + n] =
          static_cast<float>(scale * std::cos(std::numbers::pi * k * (2 * n + 1) / (2.0 * n_in)));
    }
  }
}

void Dct::Apply(std::span<const float> in, std::span<float> out) const {
  for (int k = 0; k < n_out_; ++k) {
    const float* row = basis_.data() + static_cast<std::size_t>(k) * n_in_;
    float sum = 0.0f;
    for (int n = 0; n < n_in_; ++n) sum += row[n] * in[n];
    out[k] = sum;
  }
}

}  // namespace auris::dsp
