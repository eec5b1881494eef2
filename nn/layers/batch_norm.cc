#include "nn/layers/batch_norm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::Status BatchNorm::Load(const TensorMap& weights) {
  const int64_t c = options_.num_features;
  if (c <= 0 || !(options_.eps > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("batchnorm options invalid: num_features=", c, " eps=", options_.eps));
  }
  const Tensor* t[4];
  const char* names[4] = {"weight", "bias", "running_mean", "running_var"};
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<const Tensor*> w = GetWeight(weights, names[i], {c});
    if (!w.ok()) return w.status();
    t[i] = *w;
  }
  scale_ = Tensor({c});
  shift_ = Tensor({c});
  for (int64_t j = 0; j < c; ++j) {
    const double scale = (*t[0])[j] / std::sqrt(static_cast<double>((*t[3])[j]) + options_.eps);
    scale_[j] = static_cast<float>(scale);
    shift_[j] = static_cast<float>((*t[1])[j] - (*t[2])[j] * scale);
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorView> BatchNorm::Forward(ConstTensorView in, LayerState* /*state*/,
                                              Workspace* ws) const {
  const int64_t c = options_.num_features;
  if (in.shape.rank() != 3 || in.shape[2] != c) {
    return absl::InvalidArgumentError(
        absl::StrCat("batchnorm input: expected shape (N, T, ", c, "), got ", in.shape.ToString()));
  }
  TensorView out = ws->Allocate(in.shape);
  const int64_t rows = in.shape[0] * in.shape[1];
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < c; ++j) {
      out.data[r * c + j] = in.data[r * c + j] * scale_[j] + shift_[j];
    }
  }
  return out;
}

}  // namespace auris::nn
