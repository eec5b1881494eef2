#include "nn/layers/gru.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "nn/fast_math.h"

namespace auris::nn {

absl::Status Gru::Load(const TensorMap& weights) {
  const int64_t in = options_.input_size;
  const int64_t h = options_.hidden_size;
  if (in <= 0 || h <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("gru options invalid: input_size=", in, " hidden_size=", h));
  }
  absl::StatusOr<const Tensor*> w_ih = GetWeight(weights, "weight_ih_l0", {3 * h, in});
  if (!w_ih.ok()) return w_ih.status();
  absl::StatusOr<const Tensor*> w_hh = GetWeight(weights, "weight_hh_l0", {3 * h, h});
  if (!w_hh.ok()) return w_hh.status();
  w_ih_ = (*w_ih)->Clone();
  w_hh_ = (*w_hh)->Clone();
  b_ih_ = Tensor({3 * h});
  b_hh_ = Tensor({3 * h});
  if (!options_.bias) return absl::OkStatus();
  absl::StatusOr<const Tensor*> b_ih = GetWeight(weights, "bias_ih_l0", {3 * h});
  if (!b_ih.ok()) return b_ih.status();
  absl::StatusOr<const Tensor*> b_hh = GetWeight(weights, "bias_hh_l0", {3 * h});
  if (!b_hh.ok()) return b_hh.status();
  b_ih_ = (*b_ih)->Clone();
  b_hh_ = (*b_hh)->Clone();
  return absl::OkStatus();
}

void GruState::CopyStream(const LayerState& src, int64_t from, int64_t to) {
  const auto& s = static_cast<const GruState&>(src);
  const int64_t hidden = h.shape()[1];
  std::memcpy(h.data() + to * hidden, s.h.data() + from * hidden, sizeof(float) * hidden);
}

std::unique_ptr<LayerState> Gru::InitState(int64_t batch) const {
  return std::make_unique<GruState>(batch, options_.hidden_size);
}

absl::StatusOr<TensorView> Gru::Forward(ConstTensorView in, LayerState* state,
                                        Workspace* ws) const {
  const int64_t isz = options_.input_size;
  const int64_t hsz = options_.hidden_size;
  const int64_t g3 = 3 * hsz;
  if (in.shape.rank() != 3 || in.shape[2] != isz) {
    return absl::InvalidArgumentError(
        absl::StrCat("gru input: expected shape (N, T, ", isz, "), got ", in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  auto* st = dynamic_cast<GruState*>(state);
  if (st == nullptr) return absl::InvalidArgumentError("gru needs its InitState()");
  if (absl::Status s = CheckShape(st->h.shape(), {n, hsz}, "gru state"); !s.ok()) return s;
  TensorView out = ws->Allocate({n, t, hsz});
  float* h = st->h.data();

  if (options_.impl == KernelImpl::kOptimized) {
    TensorView gi = ws->Allocate({n * t, g3});
    for (int64_t r = 0; r < n * t; ++r) {
      std::memcpy(gi.data + r * g3, b_ih_.data(), sizeof(float) * g3);
    }
    SgemmNT(n * t, g3, isz, in.data, isz, w_ih_.data(), isz, gi.data, g3, true);
    TensorView gh = ws->Allocate({n, g3});
    for (int64_t step = 0; step < t; ++step) {
      for (int64_t b = 0; b < n; ++b) {
        std::memcpy(gh.data + b * g3, b_hh_.data(), sizeof(float) * g3);
      }
      SgemmNT(n, g3, hsz, h, hsz, w_hh_.data(), hsz, gh.data, g3, true);
      for (int64_t b = 0; b < n; ++b) {
        GruCellUpdate(gi.data + (b * t + step) * g3, gh.data + b * g3, hsz, h + b * hsz);
        std::memcpy(out.data + (b * t + step) * hsz, h + b * hsz, sizeof(float) * hsz);
      }
    }
    return out;
  }

  TensorView gi = ws->Allocate({g3});
  TensorView gh = ws->Allocate({g3});
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t step = 0; step < t; ++step) {
      const float* x = in.data + (b * t + step) * isz;
      float* hb = h + b * hsz;
      for (int64_t r = 0; r < g3; ++r) {
        float acc_i = b_ih_[r];
        for (int64_t i = 0; i < isz; ++i) acc_i += w_ih_[r * isz + i] * x[i];
        float acc_h = b_hh_[r];
        for (int64_t i = 0; i < hsz; ++i) acc_h += w_hh_[r * hsz + i] * hb[i];
        gi.data[r] = acc_i;
        gh.data[r] = acc_h;
      }
      GruCellUpdateExact(gi.data, gh.data, hsz, hb);
      std::memcpy(out.data + (b * t + step) * hsz, hb, sizeof(float) * hsz);
    }
  }
  return out;
}

}  // namespace auris::nn
