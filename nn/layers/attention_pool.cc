#include "nn/layers/attention_pool.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace auris::nn {

AttentionPoolState::AttentionPoolState(int64_t batch, int64_t channels)
    : max(Shape{batch}), den(Shape{batch}), num(Shape{batch, channels}) {
  for (int64_t b = 0; b < batch; ++b) max[b] = -std::numeric_limits<float>::infinity();
}

void AttentionPoolState::CopyStream(const LayerState& src, int64_t from, int64_t to) {
  const auto& s = static_cast<const AttentionPoolState&>(src);
  const int64_t c = num.shape()[1];
  max[to] = s.max[from];
  den[to] = s.den[from];
  std::memcpy(num.data() + to * c, s.num.data() + from * c, sizeof(float) * c);
}

absl::Status AttentionPool::Load(const TensorMap& weights) {
  const int64_t c = options_.in_features;
  const int64_t a = options_.attention_dim;
  if (c <= 0 || a < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("attention_pool options invalid: in_features=", c, " attention_dim=", a));
  }
  if (a > 0) {
    absl::StatusOr<const Tensor*> w = GetWeight(weights, "proj.weight", {a, c});
    if (!w.ok()) return w.status();
    absl::StatusOr<const Tensor*> b = GetWeight(weights, "proj.bias", {a});
    if (!b.ok()) return b.status();
    proj_w_ = (*w)->Clone();
    proj_b_ = (*b)->Clone();
  }
  const int64_t score_in = a > 0 ? a : c;
  absl::StatusOr<const Tensor*> v = GetWeight(weights, "score.weight", {1, score_in});
  if (!v.ok()) return v.status();
  score_w_ = Tensor({score_in});
  std::memcpy(score_w_.data(), (*v)->data(), sizeof(float) * score_in);
  return absl::OkStatus();
}

std::unique_ptr<LayerState> AttentionPool::InitState(int64_t batch) const {
  return std::make_unique<AttentionPoolState>(batch, options_.in_features);
}

void AttentionPool::ScoresOptimized(ConstTensorView in, float* scores, Workspace* ws) const {
  const int64_t rows = in.shape[0] * in.shape[1];
  const int64_t c = options_.in_features;
  const int64_t a = options_.attention_dim;
  if (a == 0) {
    SgemmNT(rows, 1, c, in.data, c, score_w_.data(), c, scores, 1, false);
    return;
  }
  TensorView hidden = ws->Allocate({rows, a});
  for (int64_t r = 0; r < rows; ++r) {
    std::memcpy(hidden.data + r * a, proj_b_.data(), sizeof(float) * a);
  }
  SgemmNT(rows, a, c, in.data, c, proj_w_.data(), c, hidden.data, a, true);
  for (int64_t i = 0; i < rows * a; ++i) hidden.data[i] = std::tanh(hidden.data[i]);
  SgemmNT(rows, 1, a, hidden.data, a, score_w_.data(), a, scores, 1, false);
}

void AttentionPool::ScoresReference(ConstTensorView in, float* scores) const {
  const int64_t rows = in.shape[0] * in.shape[1];
  const int64_t c = options_.in_features;
  const int64_t a = options_.attention_dim;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = in.data + r * c;
    float score = 0.0f;
    if (a == 0) {
      for (int64_t i = 0; i < c; ++i) score += score_w_[i] * x[i];
    }
    for (int64_t j = 0; j < a; ++j) {
      float acc = proj_b_[j];
      for (int64_t i = 0; i < c; ++i) acc += proj_w_[j * c + i] * x[i];
      score += score_w_[j] * std::tanh(acc);
    }
    scores[r] = score;
  }
}

absl::StatusOr<TensorView> AttentionPool::Forward(ConstTensorView in, LayerState* state,
                                                  Workspace* ws) const {
  const int64_t c = options_.in_features;
  if (in.shape.rank() != 3 || in.shape[2] != c) {
    return absl::InvalidArgumentError(absl::StrCat("attention_pool input: expected shape (N, T, ",
                                                   c, "), got ", in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  auto* st = dynamic_cast<AttentionPoolState*>(state);
  if (st == nullptr) return absl::InvalidArgumentError("attention_pool needs its InitState()");
  if (absl::Status s = CheckShape(st->num.shape(), {n, c}, "attention_pool state"); !s.ok()) {
    return s;
  }
  TensorView scores = ws->Allocate({n * t});
  if (options_.impl == KernelImpl::kOptimized) {
    ScoresOptimized(in, scores.data, ws);
  } else {
    ScoresReference(in, scores.data);
  }
  TensorView out = ws->Allocate({n, t, c});
  for (int64_t b = 0; b < n; ++b) {
    float& m = st->max[b];
    float& den = st->den[b];
    float* num = st->num.data() + b * c;
    for (int64_t step = 0; step < t; ++step) {
      const float* x = in.data + (b * t + step) * c;
      const float s = scores.data[b * t + step];
      if (s > m) {
        const float scale = std::exp(m - s);  // 0 for the first frame (m = -inf)
        den = den * scale + 1.0f;
        for (int64_t i = 0; i < c; ++i) num[i] = num[i] * scale + x[i];
        m = s;
      } else {
        const float e = std::exp(s - m);
        den += e;
        for (int64_t i = 0; i < c; ++i) num[i] += e * x[i];
      }
      float* y = out.data + (b * t + step) * c;
      const float inv = 1.0f / den;
      for (int64_t i = 0; i < c; ++i) y[i] = num[i] * inv;
    }
  }
  return out;
}

}  // namespace auris::nn
