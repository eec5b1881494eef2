#include "nn/layers/linear.h"

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::Status Linear::Load(const TensorMap& weights) {
  const int64_t in = options_.in_features;
  const int64_t out = options_.out_features;
  absl::StatusOr<const Tensor*> w = GetWeight(weights, "weight", {out, in});
  if (!w.ok()) return w.status();
  weight_ = (*w)->Clone();
  bias_ = Tensor({out});
  if (options_.bias) {
    absl::StatusOr<const Tensor*> b = GetWeight(weights, "bias", {out});
    if (!b.ok()) return b.status();
    bias_ = (*b)->Clone();
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorView> Linear::Forward(ConstTensorView in, LayerState* /*state*/,
                                           Workspace* ws) const {
  const int64_t cin = options_.in_features;
  const int64_t cout = options_.out_features;
  if (in.shape.rank() != 3 || in.shape[2] != cin) {
    return absl::InvalidArgumentError(
        absl::StrCat("linear input: expected shape (N, T, ", cin, "), got ", in.shape.ToString()));
  }
  const int64_t rows = in.shape[0] * in.shape[1];
  TensorView out = ws->Allocate({in.shape[0], in.shape[1], cout});
  const float* w = weight_.data();
  const float* b = bias_.data();
  if (options_.impl == KernelImpl::kOptimized) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t o = 0; o < cout; ++o) out.data[r * cout + o] = b[o];
    }
    SgemmNT(rows, cout, cin, in.data, cin, w, cin, out.data, cout, /*accumulate=*/true);
    return out;
  }
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < cout; ++o) {
      float acc = b[o];
      for (int64_t i = 0; i < cin; ++i) acc += in.data[r * cin + i] * w[o * cin + i];
      out.data[r * cout + o] = acc;
    }
  }
  return out;
}

absl::Status Linear::FoldAffine(ConstTensorView scale, ConstTensorView shift) {
  const int64_t out = options_.out_features;
  if (absl::Status s = CheckShape(scale.shape, {out}, "linear fold scale"); !s.ok()) return s;
  if (absl::Status s = CheckShape(shift.shape, {out}, "linear fold shift"); !s.ok()) return s;
  if (weight_.size() == 0) return absl::FailedPreconditionError("Linear::FoldAffine before Load");
  const int64_t row = options_.in_features;
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t j = 0; j < row; ++j) weight_[o * row + j] *= scale.data[o];
    bias_[o] = bias_[o] * scale.data[o] + shift.data[o];
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
