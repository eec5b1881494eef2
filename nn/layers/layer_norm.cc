#include "nn/layers/layer_norm.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::Status LayerNorm::Load(const TensorMap& weights) {
  const int64_t c = options_.num_features;
  if (c <= 0 || !(options_.eps > 0.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("layernorm options invalid: num_features=", c, " eps=", options_.eps));
  }
  absl::StatusOr<const Tensor*> w = GetWeight(weights, "weight", {c});
  if (!w.ok()) return w.status();
  absl::StatusOr<const Tensor*> b = GetWeight(weights, "bias", {c});
  if (!b.ok()) return b.status();
  weight_ = (*w)->Clone();
  bias_ = (*b)->Clone();
  return absl::OkStatus();
}

absl::StatusOr<TensorView> LayerNorm::Forward(ConstTensorView in, LayerState* /*state*/,
                                              Workspace* ws) const {
  const int64_t c = options_.num_features;
  if (in.shape.rank() != 3 || in.shape[2] != c) {
    return absl::InvalidArgumentError(
        absl::StrCat("layernorm input: expected shape (N, T, ", c, "), got ", in.shape.ToString()));
  }
  TensorView out = ws->Allocate(in.shape);
  const int64_t rows = in.shape[0] * in.shape[1];
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in.data + r * c;
    float* y = out.data + r * c;
    float sum = 0.0f;
    for (int64_t j = 0; j < c; ++j) sum += x[j];
    const float mean = sum / static_cast<float>(c);
    float sq = 0.0f;
    for (int64_t j = 0; j < c; ++j) sq += (x[j] - mean) * (x[j] - mean);
    const float inv_std = 1.0f / std::sqrt(sq / static_cast<float>(c) + options_.eps);
    for (int64_t j = 0; j < c; ++j) y[j] = (x[j] - mean) * inv_std * weight_[j] + bias_[j];
  }
  return out;
}

}  // namespace auris::nn
