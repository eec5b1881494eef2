#include "nn/layers/lstm.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "nn/fast_math.h"

namespace auris::nn {

absl::Status Lstm::Load(const TensorMap& weights) {
  const int64_t in = options_.input_size;
  const int64_t h = options_.hidden_size;
  if (in <= 0 || h <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("lstm options invalid: input_size=", in, " hidden_size=", h));
  }
  absl::StatusOr<const Tensor*> w_ih = GetWeight(weights, "weight_ih_l0", {4 * h, in});
  if (!w_ih.ok()) return w_ih.status();
  absl::StatusOr<const Tensor*> w_hh = GetWeight(weights, "weight_hh_l0", {4 * h, h});
  if (!w_hh.ok()) return w_hh.status();
  absl::StatusOr<const Tensor*> b_ih = GetWeight(weights, "bias_ih_l0", {4 * h});
  if (!b_ih.ok()) return b_ih.status();
  absl::StatusOr<const Tensor*> b_hh = GetWeight(weights, "bias_hh_l0", {4 * h});
  if (!b_hh.ok()) return b_hh.status();
  w_ih_ = (*w_ih)->Clone();
  w_hh_ = (*w_hh)->Clone();
  bias_ = Tensor({4 * h});
  for (int64_t j = 0; j < 4 * h; ++j) bias_[j] = (**b_ih)[j] + (**b_hh)[j];
  return absl::OkStatus();
}

void LstmState::CopyStream(const LayerState& src, int64_t from, int64_t to) {
  const auto& s = static_cast<const LstmState&>(src);
  const int64_t hidden = h.shape()[1];
  std::memcpy(h.data() + to * hidden, s.h.data() + from * hidden, sizeof(float) * hidden);
  std::memcpy(c.data() + to * hidden, s.c.data() + from * hidden, sizeof(float) * hidden);
}

std::unique_ptr<LayerState> Lstm::InitState(int64_t batch) const {
  return std::make_unique<LstmState>(batch, options_.hidden_size);
}

absl::StatusOr<TensorView> Lstm::Forward(ConstTensorView in, LayerState* state,
                                         Workspace* ws) const {
  const int64_t isz = options_.input_size;
  const int64_t hsz = options_.hidden_size;
  const int64_t g4 = 4 * hsz;
  if (in.shape.rank() != 3 || in.shape[2] != isz) {
    return absl::InvalidArgumentError(
        absl::StrCat("lstm input: expected shape (N, T, ", isz, "), got ", in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  auto* st = dynamic_cast<LstmState*>(state);
  if (st == nullptr) return absl::InvalidArgumentError("lstm needs its InitState()");
  if (absl::Status s = CheckShape(st->h.shape(), {n, hsz}, "lstm state"); !s.ok()) return s;
  TensorView out = ws->Allocate({n, t, hsz});
  float* h = st->h.data();
  float* c = st->c.data();

  if (options_.impl == KernelImpl::kOptimized) {
    TensorView gates = ws->Allocate({n * t, g4});
    for (int64_t r = 0; r < n * t; ++r) {
      std::memcpy(gates.data + r * g4, bias_.data(), sizeof(float) * g4);
    }
    SgemmNT(n * t, g4, isz, in.data, isz, w_ih_.data(), isz, gates.data, g4, true);
    for (int64_t step = 0; step < t; ++step) {
      float* g = gates.data + step * g4;  // row (b, step) at g + b * t * g4
      SgemmNT(n, g4, hsz, h, hsz, w_hh_.data(), hsz, g, t * g4, true);
      for (int64_t b = 0; b < n; ++b) {
        LstmCellUpdate(g + b * t * g4, hsz, h + b * hsz, c + b * hsz);
        std::memcpy(out.data + (b * t + step) * hsz, h + b * hsz, sizeof(float) * hsz);
      }
    }
    return out;
  }

  TensorView gates = ws->Allocate({g4});
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t step = 0; step < t; ++step) {
      const float* x = in.data + (b * t + step) * isz;
      float* hb = h + b * hsz;
      for (int64_t r = 0; r < g4; ++r) {
        float acc = bias_[r];
        for (int64_t i = 0; i < isz; ++i) acc += w_ih_[r * isz + i] * x[i];
        for (int64_t i = 0; i < hsz; ++i) acc += w_hh_[r * hsz + i] * hb[i];
        gates.data[r] = acc;
      }
      LstmCellUpdateExact(gates.data, hsz, hb, c + b * hsz);
      std::memcpy(out.data + (b * t + step) * hsz, hb, sizeof(float) * hsz);
    }
  }
  return out;
}

}  // namespace auris::nn
