#include "nn/layers/time_pool.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

// Leftover input of each stream: (N, k - 1, C), first `length` frames valid (the same for
// every stream of the batch).
class TimePoolState : public LayerState {
 public:
  TimePoolState(int64_t batch, int64_t frames, int64_t channels)
      : leftover(Shape{batch, frames, channels}) {}
  int64_t pending_frames() const override { return length; }
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override {
    const auto& s = static_cast<const TimePoolState&>(src);
    const int64_t row = leftover.shape()[1] * leftover.shape()[2];
    std::memcpy(leftover.data() + to * row, s.leftover.data() + from * row, sizeof(float) * row);
    length = s.length;
  }
  Tensor leftover;
  int64_t length = 0;
};

}  // namespace

absl::Status TimePool::Load(const TensorMap& /*weights*/) {
  if (options_.kernel_size <= 0 || options_.channels <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("pool options invalid: kernel_size=", options_.kernel_size,
                     " channels=", options_.channels));
  }
  return absl::OkStatus();
}

std::unique_ptr<LayerState> TimePool::InitState(int64_t batch) const {
  return std::make_unique<TimePoolState>(batch, options_.kernel_size - 1, options_.channels);
}

absl::StatusOr<TensorView> TimePool::Forward(ConstTensorView in, LayerState* state,
                                             Workspace* ws) const {
  const int64_t c = options_.channels;
  const int64_t k = options_.kernel_size;
  if (in.shape.rank() != 3 || in.shape[2] != c) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(type()), " input: expected shape (N, T, ", c, "), got ", in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  auto* st = dynamic_cast<TimePoolState*>(state);
  if (st == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(type()), " needs its InitState()"));
  }
  if (absl::Status s = CheckShape(st->leftover.shape(), {n, k - 1, c}, "pool state"); !s.ok()) {
    return s;
  }
  const int64_t held = st->length;
  const int64_t total = held + t;
  const int64_t t_out = total / k;
  TensorView out = ws->Allocate({n, t_out, c});
  const bool is_max = options_.kind == Kind::kMax;
  const float inv_k = 1.0f / static_cast<float>(k);
  for (int64_t b = 0; b < n; ++b) {
    const float* old = st->leftover.data() + b * (k - 1) * c;
    const float* x = in.data + b * t * c;
    auto frame = [&](int64_t f) { return f < held ? old + f * c : x + (f - held) * c; };
    for (int64_t i = 0; i < t_out; ++i) {
      float* y = out.data + (b * t_out + i) * c;
      std::memcpy(y, frame(i * k), sizeof(float) * c);
      for (int64_t j = 1; j < k; ++j) {
        const float* f = frame(i * k + j);
        if (is_max) {
          for (int64_t ch = 0; ch < c; ++ch) y[ch] = std::max(y[ch], f[ch]);
        } else {
          for (int64_t ch = 0; ch < c; ++ch) y[ch] += f[ch];
        }
      }
      if (!is_max) {
        for (int64_t ch = 0; ch < c; ++ch) y[ch] *= inv_k;
      }
    }
  }
  const int64_t consumed = t_out * k;
  st->length = total - consumed;
  for (int64_t b = 0; b < n; ++b) {
    float* old = st->leftover.data() + b * (k - 1) * c;
    const float* x = in.data + b * t * c;
    if (t_out == 0) {
      if (t > 0) std::memcpy(old + held * c, x, sizeof(float) * t * c);
    } else if (st->length > 0) {
      std::memcpy(old, x + (consumed - held) * c, sizeof(float) * st->length * c);
    }
  }
  return out;
}

}  // namespace auris::nn
