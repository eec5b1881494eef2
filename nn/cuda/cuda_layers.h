// Device versions of the nn/ layers the CUDA backend implements (one class each, same
// semantics and streaming arithmetic as the CPU layer of the same type in nn/layers/):
// conv1d (causal or padded, stride, dilation, groups; im2col + cuBLAS), linear (cuBLAS),
// one LSTM layer (cuBLAS input projection per chunk, one cuBLAS GEMM + a fused gate kernel
// per frame), layernorm, max/avg time pooling, and the activations relu, leaky_relu, tanh,
// sigmoid, gelu, softmax, log_softmax. Activations are device (N, T, C) float32.
// A layer is built on the host, may fold a BatchNorm (FoldAffine), then Upload()s its
// weights once; afterwards it is immutable and Forward is const and thread-safe across
// distinct states and contexts.
#ifndef AURIS_NN_CUDA_CUDA_LAYERS_H_
#define AURIS_NN_CUDA_CUDA_LAYERS_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/cuda/cuda_util.h"
#include "nn/cuda/kernels.h"
#include "nn/layers/conv1d.h"
#include "nn/tensor.h"

namespace auris::nn::cuda {

// A device activation (N, T, C); the memory belongs to an arena or a state.
struct DeviceTensor {
  float* data = nullptr;
  int64_t n = 0;
  int64_t t = 0;
  int64_t c = 0;
};

// Per-call resources: the stream, the cuBLAS handle bound to it, and scratch memory.
struct CudaContext {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  DeviceArena* arena = nullptr;
};

// Per-stream device state of one layer for N streams: conv left context or pool leftovers
// (a: (N, frames, C), `length` frames valid), or LSTM h (a) and c (b), each (N, H).
struct CudaLayerState {
  DeviceBuffer a;
  DeviceBuffer b;
  int64_t length = 0;
};

class CudaLayer {
 public:
  virtual ~CudaLayer() = default;
  virtual std::string_view type() const = 0;
  // Copies the host weights to the device (once, before any Forward).
  virtual absl::Status Upload() { return absl::OkStatus(); }
  // Fresh state for `batch` streams, as the CPU layer's InitState; nullptr when stateless.
  virtual absl::StatusOr<std::unique_ptr<CudaLayerState>> InitState(int64_t batch) const {
    (void)batch;
    return nullptr;
  }
  // x (N, T, C_in) -> (N, T_out, C_out) in ctx->arena (or in place).
  virtual absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                               CudaContext* ctx) const = 0;
};

class CudaConv1d : public CudaLayer {
 public:
  // The CPU layer's options; `bias` is ignored (Create takes the bias tensor or null).
  using Options = Conv1d::Options;
  // weight (out, in / groups, kernel_size) as torch; bias (out) or an empty tensor.
  static absl::StatusOr<std::unique_ptr<CudaConv1d>> Create(const Options& options,
                                                            const Tensor& weight,
                                                            const Tensor* bias);
  std::string_view type() const override { return "conv1d"; }
  // y -> scale * y + shift per output channel (a folded BatchNorm); host side, before Upload.
  absl::Status FoldAffine(ConstTensorView scale, ConstTensorView shift);
  absl::Status Upload() override;
  absl::StatusOr<std::unique_ptr<CudaLayerState>> InitState(int64_t batch) const override;
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  explicit CudaConv1d(const Options& options) : options_(options) {}
  int64_t receptive_field() const { return (options_.kernel_size - 1) * options_.dilation + 1; }
  Options options_;
  Tensor host_weight_;  // (out, kernel_size, in / groups)
  Tensor host_bias_;    // (out)
  DeviceBuffer weight_;
  DeviceBuffer bias_;
};

class CudaLinear : public CudaLayer {
 public:
  // weight (out, in); bias (out) or null.
  static absl::StatusOr<std::unique_ptr<CudaLinear>> Create(const Tensor& weight,
                                                            const Tensor* bias);
  std::string_view type() const override { return "linear"; }
  absl::Status FoldAffine(ConstTensorView scale, ConstTensorView shift);
  absl::Status Upload() override;
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  CudaLinear() = default;
  int64_t in_ = 0;
  int64_t out_ = 0;
  Tensor host_weight_;  // (out, in)
  Tensor host_bias_;    // (out)
  DeviceBuffer weight_;
  DeviceBuffer bias_;
};

// One unidirectional LSTM layer (torch gate order i, f, g, o); state h, c (N, H).
class CudaLstm : public CudaLayer {
 public:
  // w_ih (4H, I), w_hh (4H, H), b_ih and b_hh (4H).
  static absl::StatusOr<std::unique_ptr<CudaLstm>> Create(const Tensor& w_ih, const Tensor& w_hh,
                                                          const Tensor& b_ih, const Tensor& b_hh);
  std::string_view type() const override { return "lstm"; }
  absl::Status Upload() override;
  absl::StatusOr<std::unique_ptr<CudaLayerState>> InitState(int64_t batch) const override;
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  CudaLstm() = default;
  int64_t input_ = 0;
  int64_t hidden_ = 0;
  Tensor host_w_ih_;  // (4H, I)
  Tensor host_w_hh_;  // (4H, H)
  Tensor host_bias_;  // (4H) = b_ih + b_hh
  DeviceBuffer w_ih_;
  DeviceBuffer w_hh_;
  DeviceBuffer bias_;
};

class CudaLayerNorm : public CudaLayer {
 public:
  // weight, bias (C).
  CudaLayerNorm(const Tensor& weight, const Tensor& bias, float eps);
  std::string_view type() const override { return "layernorm"; }
  absl::Status Upload() override;
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  float eps_;
  Tensor host_weight_;
  Tensor host_bias_;
  DeviceBuffer weight_;
  DeviceBuffer bias_;
};

// Non-overlapping max / mean pooling over time with leftover frames kept per stream.
class CudaTimePool : public CudaLayer {
 public:
  CudaTimePool(bool is_max, int64_t kernel_size, int64_t channels)
      : is_max_(is_max), k_(kernel_size), channels_(channels) {}
  std::string_view type() const override { return is_max_ ? "max_pool" : "avg_pool"; }
  absl::StatusOr<std::unique_ptr<CudaLayerState>> InitState(int64_t batch) const override;
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  bool is_max_;
  int64_t k_;
  int64_t channels_;
};

// Element-wise activations and softmax / log_softmax over channels; in place.
class CudaActivation : public CudaLayer {
 public:
  // `type`: relu, leaky_relu, tanh, sigmoid, gelu, softmax or log_softmax; else UNIMPLEMENTED.
  static absl::StatusOr<std::unique_ptr<CudaActivation>> Create(std::string_view type,
                                                                float negative_slope);
  std::string_view type() const override { return type_; }
  absl::StatusOr<DeviceTensor> Forward(DeviceTensor x, CudaLayerState* state,
                                       CudaContext* ctx) const override;

 private:
  CudaActivation() = default;
  std::string type_;
  ActivationKind kind_ = ActivationKind::kRelu;
  bool softmax_ = false;
  bool log_ = false;
  float slope_ = 0.01f;
};

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_CUDA_LAYERS_H_
