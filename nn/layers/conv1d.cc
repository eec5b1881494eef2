#include "nn/layers/conv1d.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

// Unconsumed padded input of each stream: (N, receptive_field - 1, C_in), first `length`
// frames valid (the same for every stream of the batch).
class Conv1dState : public LayerState {
 public:
  Conv1dState(int64_t batch, int64_t frames, int64_t channels)
      : context(Shape{batch, frames, channels}), length(frames) {}
  int64_t pending_frames() const override { return length; }
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override {
    const auto& s = static_cast<const Conv1dState&>(src);
    const int64_t row = context.shape()[1] * context.shape()[2];
    std::memcpy(context.data() + to * row, s.context.data() + from * row, sizeof(float) * row);
    length = s.length;
  }
  Tensor context;
  int64_t length;
};

int64_t OutputFrames(int64_t padded_length, int64_t receptive_field, int64_t stride) {
  return padded_length < receptive_field ? 0 : (padded_length - receptive_field) / stride + 1;
}

}  // namespace

absl::Status Conv1d::Load(const TensorMap& weights) {
  const Options& o = options_;
  if (o.in_channels <= 0 || o.out_channels <= 0 || o.kernel_size <= 0 || o.stride <= 0 ||
      o.dilation <= 0 || o.padding < 0 || o.groups <= 0 || o.in_channels % o.groups != 0 ||
      o.out_channels % o.groups != 0 || (o.causal && o.padding != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv1d options invalid: in=", o.in_channels, " out=", o.out_channels,
                     " kernel=", o.kernel_size, " stride=", o.stride, " dilation=", o.dilation,
                     " padding=", o.padding, " groups=", o.groups, " causal=", o.causal));
  }
  const int64_t cg = o.in_channels / o.groups;
  const int64_t k = o.kernel_size;
  absl::StatusOr<const Tensor*> w = GetWeight(weights, "weight", {o.out_channels, cg, k});
  if (!w.ok()) return w.status();
  weight_ = Tensor({o.out_channels, k, cg});
  for (int64_t out = 0; out < o.out_channels; ++out) {
    for (int64_t c = 0; c < cg; ++c) {
      for (int64_t j = 0; j < k; ++j) {
        weight_[(out * k + j) * cg + c] = (**w)[(out * cg + c) * k + j];
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

std::unique_ptr<LayerState> Conv1d::InitState(int64_t batch) const {
  if (!options_.causal) return nullptr;
  return std::make_unique<Conv1dState>(batch, receptive_field() - 1, options_.in_channels);
}

absl::StatusOr<TensorView> Conv1d::Forward(ConstTensorView in, LayerState* state,
                                           Workspace* ws) const {
  const int64_t cin = options_.in_channels;
  if (in.shape.rank() != 3 || in.shape[2] != cin) {
    return absl::InvalidArgumentError(
        absl::StrCat("conv1d input: expected shape (N, T, ", cin, "), got ", in.shape.ToString()));
  }
  const int64_t n = in.shape[0];
  const int64_t t = in.shape[1];
  const int64_t rf = receptive_field();
  Conv1dState* cs = nullptr;
  int64_t left = options_.padding;
  int64_t right = options_.padding;
  if (options_.causal) {
    cs = dynamic_cast<Conv1dState*>(state);
    if (cs == nullptr) return absl::InvalidArgumentError("causal conv1d needs its InitState()");
    const Shape expected{n, rf - 1, cin};
    if (absl::Status s = CheckShape(cs->context.shape(), expected, "conv1d state"); !s.ok()) {
      return s;
    }
    left = cs->length;
    right = 0;
  }
  const int64_t len = left + t + right;
  TensorView padded = ws->AllocateZeros({n, len, cin});
  for (int64_t b = 0; b < n; ++b) {
    float* dst = padded.data + b * len * cin;
    if (cs != nullptr && left > 0) {
      std::memcpy(dst, cs->context.data() + b * (rf - 1) * cin, sizeof(float) * left * cin);
    }
    if (t > 0) std::memcpy(dst + left * cin, in.data + b * t * cin, sizeof(float) * t * cin);
  }
  const int64_t t_out = OutputFrames(len, rf, options_.stride);
  TensorView out = ws->Allocate({n, t_out, options_.out_channels});
  if (options_.impl == KernelImpl::kOptimized) {
    ValidConvOptimized(padded, out, ws);
  } else {
    ValidConvReference(padded, out);
  }
  if (cs != nullptr) {
    const int64_t consumed = t_out * options_.stride;
    cs->length = len - consumed;
    for (int64_t b = 0; b < n; ++b) {
      std::memmove(cs->context.data() + b * (rf - 1) * cin,
                   padded.data + (b * len + consumed) * cin, sizeof(float) * cs->length * cin);
    }
  }
  return out;
}

void Conv1d::ValidConvOptimized(ConstTensorView padded, TensorView out, Workspace* ws) const {
  const int64_t n = padded.shape[0];
  const int64_t len = padded.shape[1];
  const int64_t cin = options_.in_channels;
  const int64_t cout = options_.out_channels;
  const int64_t k = options_.kernel_size;
  const int64_t s = options_.stride;
  const int64_t d = options_.dilation;
  const int64_t groups = options_.groups;
  const int64_t cg = cin / groups;
  const int64_t coutg = cout / groups;
  const int64_t t_out = out.shape[1];
  // With one group and no dilation an output frame's window is k * cin contiguous floats, so
  // the input itself serves as the im2col matrix when BLAS accepts its leading dimension.
  const bool windows_contiguous = groups == 1 && d == 1;
  const bool no_copy = windows_contiguous && s >= k;
  TensorView cols = ws->Allocate({no_copy ? 0 : t_out, k * cg});
  for (int64_t b = 0; b < n; ++b) {
    const float* x = padded.data + b * len * cin;
    float* y = out.data + b * t_out * cout;
    for (int64_t i = 0; i < t_out; ++i)
      std::memcpy(y + i * cout, bias_.data(), sizeof(float) * cout);
    if (no_copy) {
      SgemmNT(t_out, cout, k * cin, x, s * cin, weight_.data(), k * cin, y, cout, true);
      continue;
    }
    for (int64_t g = 0; g < groups; ++g) {
      for (int64_t i = 0; i < t_out && windows_contiguous; ++i) {
        std::memcpy(cols.data + i * k * cg, x + i * s * cin, sizeof(float) * k * cin);
      }
      for (int64_t i = 0; i < t_out && !windows_contiguous; ++i) {
        for (int64_t j = 0; j < k; ++j) {
          std::memcpy(cols.data + (i * k + j) * cg, x + (i * s + j * d) * cin + g * cg,
                      sizeof(float) * cg);
        }
      }
      SgemmNT(t_out, coutg, k * cg, cols.data, k * cg, weight_.data() + g * coutg * k * cg, k * cg,
              y + g * coutg, cout, true);
    }
  }
}

void Conv1d::ValidConvReference(ConstTensorView padded, TensorView out) const {
  const int64_t n = padded.shape[0];
  const int64_t len = padded.shape[1];
  const int64_t cin = options_.in_channels;
  const int64_t cout = options_.out_channels;
  const int64_t k = options_.kernel_size;
  const int64_t cg = cin / options_.groups;
  const int64_t coutg = cout / options_.groups;
  const int64_t t_out = out.shape[1];
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < t_out; ++i) {
      for (int64_t o = 0; o < cout; ++o) {
        const int64_t g = o / coutg;
        float acc = bias_[o];
        for (int64_t j = 0; j < k; ++j) {
          const int64_t frame = i * options_.stride + j * options_.dilation;
          for (int64_t c = 0; c < cg; ++c) {
            acc +=
                padded.data[(b * len + frame) * cin + g * cg + c] * weight_[(o * k + j) * cg + c];
          }
        }
        out.data[(b * t_out + i) * cout + o] = acc;
      }
    }
  }
}

absl::Status Conv1d::FoldAffine(ConstTensorView scale, ConstTensorView shift) {
  const int64_t out = options_.out_channels;
  if (absl::Status s = CheckShape(scale.shape, {out}, "conv1d fold scale"); !s.ok()) return s;
  if (absl::Status s = CheckShape(shift.shape, {out}, "conv1d fold shift"); !s.ok()) return s;
  if (weight_.size() == 0) return absl::FailedPreconditionError("Conv1d::FoldAffine before Load");
  const int64_t row = options_.kernel_size * (options_.in_channels / options_.groups);
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t j = 0; j < row; ++j) weight_[o * row + j] *= scale.data[o];
    bias_[o] = bias_[o] * scale.data[o] + shift.data[o];
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
