// Orthonormal DCT-II (scipy.fft.dct(norm="ortho")) truncated to the first n_out coefficients:
// y[k] = s_k sum_n x[n] cos(pi k (2n + 1) / (2 n_in)), s_0 = sqrt(1/n_in), s_k = sqrt(2/n_in).
// Immutable after Create(); Apply() is const and thread-safe.
#ifndef AURIS_DSP_DCT_H_
#define AURIS_DSP_DCT_H_

#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace auris::dsp {

class Dct {
 public:
  // 1 <= n_out <= n_in <= 4096.
  static absl::StatusOr<std::unique_ptr<Dct>> Create(int n_in, int n_out);

  // in: (n_in,) -> out: (n_out,).
  void Apply(std::span<const float> in, std::span<float> out) const;
  int n_in() const { return n_in_; }
  int n_out() const { return n_out_; }

 private:
  Dct(int n_in, int n_out);

  int n_in_;
  int n_out_;
  std::vector<float> basis_;  // row-major (n_out, n_in)
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_DCT_H_
