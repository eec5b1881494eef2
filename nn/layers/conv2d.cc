#include "nn/layers/conv2d.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

// Unconsumed input frames of each stream: (N, receptive_field - 1, C_in * F), first
// `length` frames valid (the same for every stream of the batch).
class Conv2dState : public LayerState {
 public:
  Conv2dState(int64_t batch, int64_t frames, int64_t features)
      : context(Shape{batch, frames, features}), length(frames) {}
  int64_t pending_frames() const override { return length; }
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override {
    const auto& s = static_cast<const Conv2dState&>(src);
    const int64_t row = context.shape()[1] * context.shape()[2];
    std::memcpy(context.data() + to * row, s.context.data() + from * row, sizeof(float) * row);
    length = s.length;
  }
  Tensor context;
  int64_t length;
};

}  // namespace

int64_t Conv2d::FreqOut(const Options& o) {
  if (o.stride_freq <= 0) return 0;
  const int64_t span = o.freq + 2 * o.padding_freq - o.dilation_freq * (o.kernel_freq - 1) - 1;
  return span < 0 ? 0 : span / o.stride_freq + 1;
}

absl::Status Conv2d::Load(const TensorMap& weights) {
  const Options& o = options_;
  freq_out_ = FreqOut(o);
  if (o.in_channels <= 0 || o.out_channels <= 0 || o.freq <= 0 || o.kernel_time <= 0 ||
      o.kernel_freq <= 0 || o.stride_time <= 0 || o.stride_freq <= 0 || o.dilation_time <= 0 ||
      o.dilation_freq <= 0 || o.padding_freq < 0 || freq_out_ <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "conv2d options invalid: in=", o.in_channels, " out=", o.out_channels, " freq=", o.freq,
        " kernel=", o.kernel_time, "x", o.kernel_freq, " stride=", o.stride_time, "x",
        o.stride_freq, " dilation=", o.dilation_time, "x", o.dilation_freq,
        " padding_freq=", o.padding_freq, " (", freq_out_, " output bins)"));
  }
  const int64_t cin = o.in_channels;
  const int64_t kt = o.kernel_time;
  const int64_t kf = o.kernel_freq;
  absl::StatusOr<const Tensor*> w = GetWeight(weights, "weight", {o.out_channels, cin, kt, kf});
  if (!w.ok()) return w.status();
  weight_ = Tensor({o.out_channels, kt, cin, kf});
  for (int64_t out = 0; out < o.out_channels; ++out) {
    for (int64_t c = 0; c < cin; ++c) {
      for (int64_t jt = 0; jt < kt; ++jt) {
        for (int64_t jf = 0; jf < kf; ++jf) {
          weight_[((out * kt + jt) * cin + c) * kf + jf] =
              (**w)[((out * cin + c) * kt + jt) * kf + jf];
        }
      }
    }
  }
  bias_ = Tensor({o.out_channels});
  if (o.bias) {
    absl::StatusOr<const Tensor*> b = GetWeight(weights, "bias", {o.out_channels});
    if (!b.ok()) return b.status();
    bias_ = (*b)->Clone();
  }
  return absl::OkStatus();
}

std::unique_ptr<LayerState> Conv2d::InitState(int64_t batch) const {
  return std::make_unique<Conv2dState>(batch, receptive_field() - 1,
                                       options_.in_channels * options_.freq);
}

absl::StatusOr<TensorView> Conv2d::Forward(ConstTensorView in, LayerState* state,
                                           Workspace* ws) const {
  const int64_t feat = options_.in_channels * options_.freq;
  if (in.shape.rank() != 3 || in.shape[2] != feat) {
    return absl::InvalidArgumentError(absl::StrCat("conv2d input: expected shape (N, T, ", feat,
                                                   " = in_channels * freq), got ",
                                                   in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  const int64_t rf = receptive_field();
  auto* cs = dynamic_cast<Conv2dState*>(state);
  if (cs == nullptr) return absl::InvalidArgumentError("conv2d needs its InitState()");
  if (absl::Status s = CheckShape(cs->context.shape(), {n, rf - 1, feat}, "conv2d state");
      !s.ok()) {
    return s;
  }
  const int64_t left = cs->length;
  const int64_t len = left + t;
  TensorView padded = ws->Allocate({n, len, feat});
  for (int64_t b = 0; b < n; ++b) {
    float* dst = padded.data + b * len * feat;
    if (left > 0) {
      std::memcpy(dst, cs->context.data() + b * (rf - 1) * feat, sizeof(float) * left * feat);
    }
    if (t > 0) std::memcpy(dst + left * feat, in.data + b * t * feat, sizeof(float) * t * feat);
  }
  const int64_t s = options_.stride_time;
  const int64_t t_out = len < rf ? 0 : (len - rf) / s + 1;
  TensorView out = ws->Allocate({n, t_out, options_.out_channels * freq_out_});
  if (options_.impl == KernelImpl::kOptimized) {
    ValidConvOptimized(padded, out, ws);
  } else {
    ValidConvReference(padded, out);
  }
  const int64_t consumed = t_out * s;
  cs->length = len - consumed;
  for (int64_t b = 0; b < n; ++b) {
    std::memcpy(cs->context.data() + b * (rf - 1) * feat, padded.data + (b * len + consumed) * feat,
                sizeof(float) * cs->length * feat);
  }
  return out;
}

void Conv2d::ValidConvOptimized(ConstTensorView padded, TensorView out, Workspace* ws) const {
  const Options& o = options_;
  const int64_t n = padded.shape[0];
  const int64_t len = padded.shape[1];
  const int64_t cin = o.in_channels;
  const int64_t cout = o.out_channels;
  const int64_t f_in = o.freq;
  const int64_t f_out = freq_out_;
  const int64_t kt = o.kernel_time;
  const int64_t kf = o.kernel_freq;
  const int64_t feat = cin * f_in;
  const int64_t t_out = out.shape[1];
  const int64_t k = kt * cin * kf;
  const int64_t rows = t_out * f_out;
  // im2col: row (i, fo) holds the window (jt, c, jf) of output frame i, bin fo.
  TensorView cols = ws->Allocate({rows, k});
  TensorView prod = ws->Allocate({rows, cout});
  for (int64_t b = 0; b < n; ++b) {
    const float* x = padded.data + b * len * feat;
    for (int64_t i = 0; i < t_out; ++i) {
      for (int64_t fo = 0; fo < f_out; ++fo) {
        float* col = cols.data + (i * f_out + fo) * k;
        const int64_t f0 = fo * o.stride_freq - o.padding_freq;
        for (int64_t jt = 0; jt < kt; ++jt) {
          const float* frame = x + (i * o.stride_time + jt * o.dilation_time) * feat;
          for (int64_t c = 0; c < cin; ++c) {
            const float* bins = frame + c * f_in;
            float* dst = col + (jt * cin + c) * kf;
            for (int64_t jf = 0; jf < kf; ++jf) {
              const int64_t f = f0 + jf * o.dilation_freq;
              dst[jf] = f >= 0 && f < f_in ? bins[f] : 0.0f;
            }
          }
        }
      }
    }
    SgemmNT(rows, cout, k, cols.data, k, weight_.data(), k, prod.data, cout, false);
    float* y = out.data + b * t_out * cout * f_out;
    for (int64_t i = 0; i < t_out; ++i) {
      for (int64_t fo = 0; fo < f_out; ++fo) {
        const float* p = prod.data + (i * f_out + fo) * cout;
        float* yi = y + i * cout * f_out + fo;
        for (int64_t oc = 0; oc < cout; ++oc) yi[oc * f_out] = p[oc] + bias_[oc];
      }
    }
  }
}

void Conv2d::ValidConvReference(ConstTensorView padded, TensorView out) const {
  const Options& o = options_;
  const int64_t n = padded.shape[0];
  const int64_t len = padded.shape[1];
  const int64_t cin = o.in_channels;
  const int64_t cout = o.out_channels;
  const int64_t f_in = o.freq;
  const int64_t f_out = freq_out_;
  const int64_t kt = o.kernel_time;
  const int64_t kf = o.kernel_freq;
  const int64_t feat = cin * f_in;
  const int64_t t_out = out.shape[1];
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < t_out; ++i) {
      for (int64_t oc = 0; oc < cout; ++oc) {
        for (int64_t fo = 0; fo < f_out; ++fo) {
          float acc = bias_[oc];
          for (int64_t jt = 0; jt < kt; ++jt) {
            const int64_t frame = i * o.stride_time + jt * o.dilation_time;
            for (int64_t c = 0; c < cin; ++c) {
              for (int64_t jf = 0; jf < kf; ++jf) {
                const int64_t f = fo * o.stride_freq - o.padding_freq + jf * o.dilation_freq;
                if (f < 0 || f >= f_in) continue;
                acc += padded.data[(b * len + frame) * feat + c * f_in + f] *
                       weight_[((oc * kt + jt) * cin + c) * kf + jf];
              }
            }
          }
          out.data[((b * t_out + i) * cout + oc) * f_out + fo] = acc;
        }
      }
    }
  }
}

}  // namespace auris::nn
