#include "nn/cuda/cuda_layers.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn::cuda {
namespace {

absl::Status ExpectShape(const Tensor& t, const Shape& expected, std::string_view what) {
  if (t.shape() == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      std::string(what), ": expected shape ", expected.ToString(), ", got ", t.shape().ToString()));
}

absl::Status ExpectChannels(const DeviceTensor& x, int64_t channels, std::string_view type) {
  if (x.c == channels) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(type), " input: expected ", channels, " channels, got ", x.c));
}

absl::Status UploadTo(const Tensor& host, DeviceBuffer* device) {
  absl::StatusOr<DeviceBuffer> buffer = Upload(host.data(), host.size());
  if (!buffer.ok()) return buffer.status();
  *device = *std::move(buffer);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<CudaLayerState>> ZeroState(int64_t a_floats, int64_t b_floats) {
  auto state = std::make_unique<CudaLayerState>();
  absl::StatusOr<DeviceBuffer> a = Allocate(a_floats, /*zero=*/true);
  if (!a.ok()) return a.status();
  state->a = *std::move(a);
  if (b_floats > 0) {
    absl::StatusOr<DeviceBuffer> b = Allocate(b_floats, /*zero=*/true);
    if (!b.ok()) return b.status();
    state->b = *std::move(b);
  }
  return state;
}

// state->a (N, capacity, C) = frames [from, len) of src (N, len, C); state->length updated.
absl::Status KeepTail(const float* src, int64_t n, int64_t len, int64_t c, int64_t from,
                      int64_t capacity, CudaLayerState* state, cudaStream_t stream) {
  state->length = len - from;
  if (state->length == 0 || n == 0) return absl::OkStatus();
  return CudaStatus(cudaMemcpy2DAsync(state->a.get(), sizeof(float) * capacity * c, src + from * c,
                                      sizeof(float) * len * c, sizeof(float) * state->length * c, n,
                                      cudaMemcpyDeviceToDevice, stream),
                    "keep context");
}

// Host-side y -> scale * y + shift per output row of `weight` (rows of `row` floats).
absl::Status FoldRows(ConstTensorView scale, ConstTensorView shift, int64_t out, int64_t row,
                      Tensor* weight, Tensor* bias, bool uploaded) {
  if (uploaded) return absl::FailedPreconditionError("FoldAffine after Upload");
  if (scale.shape != Shape{out} || shift.shape != Shape{out}) {
    return absl::InvalidArgumentError(absl::StrCat("fold: scale and shift must be (", out, ")"));
  }
  for (int64_t o = 0; o < out; ++o) {
    for (int64_t j = 0; j < row; ++j) (*weight)[o * row + j] *= scale.data[o];
    (*bias)[o] = (*bias)[o] * scale.data[o] + shift.data[o];
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<CudaConv1d>> CudaConv1d::Create(const Options& o,
                                                               const Tensor& weight,
                                                               const Tensor* bias) {
  const int64_t cg = o.in_channels / o.groups;
  const int64_t k = o.kernel_size;
  if (absl::Status s = ExpectShape(weight, {o.out_channels, cg, k}, "conv1d weight"); !s.ok()) {
    return s;
  }
  auto layer = std::unique_ptr<CudaConv1d>(new CudaConv1d(o));
  layer->host_weight_ = Tensor({o.out_channels, k, cg});
  for (int64_t out = 0; out < o.out_channels; ++out) {
    for (int64_t c = 0; c < cg; ++c) {
      for (int64_t j = 0; j < k; ++j) {
        layer->host_weight_[(out * k + j) * cg + c] = weight[(out * cg + c) * k + j];
      }
    }
  }
  layer->host_bias_ = Tensor({o.out_channels});
  if (bias != nullptr) {
    if (absl::Status s = ExpectShape(*bias, {o.out_channels}, "conv1d bias"); !s.ok()) return s;
    layer->host_bias_ = bias->Clone();
  }
  return layer;
}

absl::Status CudaConv1d::FoldAffine(ConstTensorView scale, ConstTensorView shift) {
  return FoldRows(scale, shift, options_.out_channels,
                  options_.kernel_size * (options_.in_channels / options_.groups), &host_weight_,
                  &host_bias_, weight_ != nullptr);
}

absl::Status CudaConv1d::Upload() {
  if (absl::Status s = UploadTo(host_weight_, &weight_); !s.ok()) return s;
  return UploadTo(host_bias_, &bias_);
}

absl::StatusOr<std::unique_ptr<CudaLayerState>> CudaConv1d::InitState(int64_t batch) const {
  if (!options_.causal) return nullptr;
  absl::StatusOr<std::unique_ptr<CudaLayerState>> state =
      ZeroState(batch * (receptive_field() - 1) * options_.in_channels, 0);
  if (state.ok()) (*state)->length = receptive_field() - 1;
  return state;
}

absl::StatusOr<DeviceTensor> CudaConv1d::Forward(DeviceTensor x, CudaLayerState* state,
                                                 CudaContext* ctx) const {
  const Options& o = options_;
  if (absl::Status s = ExpectChannels(x, o.in_channels, type()); !s.ok()) return s;
  if (o.causal && state == nullptr) {
    return absl::InvalidArgumentError("causal conv1d needs its InitState()");
  }
  const int64_t rf = receptive_field();
  const int64_t held = o.causal ? state->length : o.padding;
  const int64_t right = o.causal ? 0 : o.padding;
  const int64_t len = held + x.t + right;
  absl::StatusOr<float*> padded = ctx->arena->Get(x.n * len * o.in_channels);
  if (!padded.ok()) return padded.status();
  absl::Status s = CudaStatus(ConcatTime(o.causal ? state->a.get() : nullptr, rf - 1, held, x.data,
                                         x.t, right, x.n, o.in_channels, *padded, ctx->stream),
                              "conv1d pad");
  if (!s.ok()) return s;
  const int64_t t_out = len < rf ? 0 : (len - rf) / o.stride + 1;
  const int64_t cg = o.in_channels / o.groups;
  const int64_t coutg = o.out_channels / o.groups;
  const int64_t row = o.kernel_size * cg;
  absl::StatusOr<float*> y = ctx->arena->Get(x.n * t_out * o.out_channels);
  absl::StatusOr<float*> cols = ctx->arena->Get(x.n * t_out * row);
  if (!y.ok()) return y.status();
  if (!cols.ok()) return cols.status();
  s = CudaStatus(FillRows(bias_.get(), x.n * t_out, o.out_channels, *y, ctx->stream), "bias");
  for (int64_t g = 0; g < o.groups && s.ok(); ++g) {
    s = CudaStatus(Im2col(*padded, x.n, len, o.in_channels, t_out, o.kernel_size, o.stride,
                          o.dilation, g, cg, *cols, ctx->stream),
                   "conv1d im2col");
    if (!s.ok()) break;
    s = GemmNT(ctx->cublas, x.n * t_out, coutg, row, *cols, row, weight_.get() + g * coutg * row,
               row, 1.0f, *y + g * coutg, o.out_channels);
  }
  if (s.ok() && o.causal) {
    s = KeepTail(*padded, x.n, len, o.in_channels, t_out * o.stride, rf - 1, state, ctx->stream);
  }
  if (!s.ok()) return s;
  return DeviceTensor{*y, x.n, t_out, o.out_channels};
}

absl::StatusOr<std::unique_ptr<CudaLinear>> CudaLinear::Create(const Tensor& weight,
                                                               const Tensor* bias) {
  if (weight.shape().rank() != 2) {
    return absl::InvalidArgumentError("linear weight: expected (out, in)");
  }
  auto layer = std::unique_ptr<CudaLinear>(new CudaLinear());
  layer->out_ = weight.shape()[0];
  layer->in_ = weight.shape()[1];
  layer->host_weight_ = weight.Clone();
  layer->host_bias_ = Tensor({layer->out_});
  if (bias != nullptr) {
    if (absl::Status s = ExpectShape(*bias, {layer->out_}, "linear bias"); !s.ok()) return s;
    layer->host_bias_ = bias->Clone();
  }
  return layer;
}

absl::Status CudaLinear::FoldAffine(ConstTensorView scale, ConstTensorView shift) {
  return FoldRows(scale, shift, out_, in_, &host_weight_, &host_bias_, weight_ != nullptr);
}

absl::Status CudaLinear::Upload() {
  if (absl::Status s = UploadTo(host_weight_, &weight_); !s.ok()) return s;
  return UploadTo(host_bias_, &bias_);
}

absl::StatusOr<DeviceTensor> CudaLinear::Forward(DeviceTensor x, CudaLayerState*,
                                                 CudaContext* ctx) const {
  if (absl::Status s = ExpectChannels(x, in_, type()); !s.ok()) return s;
  const int64_t rows = x.n * x.t;
  absl::StatusOr<float*> y = ctx->arena->Get(rows * out_);
  if (!y.ok()) return y.status();
  absl::Status s = CudaStatus(FillRows(bias_.get(), rows, out_, *y, ctx->stream), "bias");
  if (s.ok())
    s = GemmNT(ctx->cublas, rows, out_, in_, x.data, in_, weight_.get(), in_, 1.0f, *y, out_);
  if (!s.ok()) return s;
  return DeviceTensor{*y, x.n, x.t, out_};
}

absl::StatusOr<std::unique_ptr<CudaLstm>> CudaLstm::Create(const Tensor& w_ih, const Tensor& w_hh,
                                                           const Tensor& b_ih, const Tensor& b_hh) {
  if (w_ih.shape().rank() != 2 || w_ih.shape()[0] % 4 != 0) {
    return absl::InvalidArgumentError("lstm weight_ih: expected (4H, I)");
  }
  auto layer = std::unique_ptr<CudaLstm>(new CudaLstm());
  const int64_t h = w_ih.shape()[0] / 4;
  layer->hidden_ = h;
  layer->input_ = w_ih.shape()[1];
  if (absl::Status s = ExpectShape(w_hh, {4 * h, h}, "lstm weight_hh"); !s.ok()) return s;
  if (absl::Status s = ExpectShape(b_ih, {4 * h}, "lstm bias_ih"); !s.ok()) return s;
  if (absl::Status s = ExpectShape(b_hh, {4 * h}, "lstm bias_hh"); !s.ok()) return s;
  layer->host_w_ih_ = w_ih.Clone();
  layer->host_w_hh_ = w_hh.Clone();
  layer->host_bias_ = Tensor({4 * h});
  for (int64_t j = 0; j < 4 * h; ++j) layer->host_bias_[j] = b_ih[j] + b_hh[j];
  return layer;
}

absl::Status CudaLstm::Upload() {
  if (absl::Status s = UploadTo(host_w_ih_, &w_ih_); !s.ok()) return s;
  if (absl::Status s = UploadTo(host_w_hh_, &w_hh_); !s.ok()) return s;
  return UploadTo(host_bias_, &bias_);
}

absl::StatusOr<std::unique_ptr<CudaLayerState>> CudaLstm::InitState(int64_t batch) const {
  return ZeroState(batch * hidden_, batch * hidden_);
}

absl::StatusOr<DeviceTensor> CudaLstm::Forward(DeviceTensor x, CudaLayerState* state,
                                               CudaContext* ctx) const {
  if (absl::Status s = ExpectChannels(x, input_, type()); !s.ok()) return s;
  if (state == nullptr) return absl::InvalidArgumentError("lstm needs its InitState()");
  const int64_t h4 = 4 * hidden_;
  absl::StatusOr<float*> xp = ctx->arena->Get(x.n * x.t * h4);
  absl::StatusOr<float*> out = ctx->arena->Get(x.n * x.t * hidden_);
  absl::StatusOr<float*> gates = ctx->arena->Get(x.n * h4);
  if (!xp.ok()) return xp.status();
  if (!out.ok()) return out.status();
  if (!gates.ok()) return gates.status();
  absl::Status s = CudaStatus(FillRows(bias_.get(), x.n * x.t, h4, *xp, ctx->stream), "bias");
  if (s.ok()) {
    s = GemmNT(ctx->cublas, x.n * x.t, h4, input_, x.data, input_, w_ih_.get(), input_, 1.0f, *xp,
               h4);
  }
  float* h = state->a.get();
  float* c = state->b.get();
  for (int64_t step = 0; step < x.t && s.ok(); ++step) {
    s = GemmNT(ctx->cublas, x.n, h4, hidden_, h, hidden_, w_hh_.get(), hidden_, 0.0f, *gates, h4);
    if (!s.ok()) break;
    s = CudaStatus(LstmCell(*gates, *xp + step * h4, x.t * h4, x.n, hidden_, c, h,
                            *out + step * hidden_, x.t * hidden_, ctx->stream),
                   "lstm cell");
  }
  if (!s.ok()) return s;
  return DeviceTensor{*out, x.n, x.t, hidden_};
}

CudaLayerNorm::CudaLayerNorm(const Tensor& weight, const Tensor& bias, float eps)
    : eps_(eps), host_weight_(weight.Clone()), host_bias_(bias.Clone()) {}

absl::Status CudaLayerNorm::Upload() {
  if (absl::Status s = UploadTo(host_weight_, &weight_); !s.ok()) return s;
  return UploadTo(host_bias_, &bias_);
}

absl::StatusOr<DeviceTensor> CudaLayerNorm::Forward(DeviceTensor x, CudaLayerState*,
                                                    CudaContext* ctx) const {
  if (absl::Status s = ExpectChannels(x, host_weight_.size(), type()); !s.ok()) return s;
  absl::Status s = CudaStatus(
      LayerNormRows(x.data, weight_.get(), bias_.get(), eps_, x.n * x.t, x.c, x.data, ctx->stream),
      "layernorm");
  if (!s.ok()) return s;
  return x;
}

absl::StatusOr<std::unique_ptr<CudaLayerState>> CudaTimePool::InitState(int64_t batch) const {
  return ZeroState(batch * (k_ - 1) * channels_, 0);
}

absl::StatusOr<DeviceTensor> CudaTimePool::Forward(DeviceTensor x, CudaLayerState* state,
                                                   CudaContext* ctx) const {
  if (absl::Status s = ExpectChannels(x, channels_, type()); !s.ok()) return s;
  if (state == nullptr) return absl::InvalidArgumentError("pool needs its InitState()");
  const int64_t total = state->length + x.t;
  const int64_t t_out = total / k_;
  absl::StatusOr<float*> joined = ctx->arena->Get(x.n * total * x.c);
  absl::StatusOr<float*> y = ctx->arena->Get(x.n * t_out * x.c);
  if (!joined.ok()) return joined.status();
  if (!y.ok()) return y.status();
  absl::Status s = CudaStatus(ConcatTime(state->a.get(), k_ - 1, state->length, x.data, x.t, 0, x.n,
                                         x.c, *joined, ctx->stream),
                              "pool join");
  if (s.ok()) {
    s = CudaStatus(TimePool(*joined, x.n, total, x.c, k_, t_out, is_max_, *y, ctx->stream), "pool");
  }
  if (s.ok()) s = KeepTail(*joined, x.n, total, x.c, t_out * k_, k_ - 1, state, ctx->stream);
  if (!s.ok()) return s;
  return DeviceTensor{*y, x.n, t_out, x.c};
}

absl::StatusOr<std::unique_ptr<CudaActivation>> CudaActivation::Create(std::string_view type,
                                                                       float negative_slope) {
  auto layer = std::unique_ptr<CudaActivation>(new CudaActivation());
  layer->type_ = std::string(type);
  layer->slope_ = negative_slope;
  if (type == "relu") {
    layer->kind_ = ActivationKind::kRelu;
  } else if (type == "leaky_relu") {
    layer->kind_ = ActivationKind::kLeakyRelu;
  } else if (type == "tanh") {
    layer->kind_ = ActivationKind::kTanh;
  } else if (type == "sigmoid") {
    layer->kind_ = ActivationKind::kSigmoid;
  } else if (type == "gelu") {
    layer->kind_ = ActivationKind::kGelu;
  } else if (type == "softmax" || type == "log_softmax") {
    layer->softmax_ = true;
    layer->log_ = type == "log_softmax";
  } else {
    return absl::UnimplementedError(
        absl::StrCat("the cuda backend does not implement activation '", std::string(type), "'"));
  }
  return layer;
}

absl::StatusOr<DeviceTensor> CudaActivation::Forward(DeviceTensor x, CudaLayerState*,
                                                     CudaContext* ctx) const {
  const cudaError_t err =
      softmax_ ? SoftmaxRows(x.data, x.n * x.t, x.c, log_, x.data, ctx->stream)
               : Activate(kind_, slope_, x.data, x.n * x.t * x.c, x.data, ctx->stream);
  if (absl::Status s = CudaStatus(err, type_); !s.ok()) return s;
  return x;
}

}  // namespace auris::nn::cuda
