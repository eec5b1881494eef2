// Device kernels of the CUDA backend (nn/cuda/kernels.cu). Every buffer is a device pointer
// to row-major float32; activations are (N, T, C). Each launcher enqueues on `stream`,
// returns the launch error (cudaSuccess when nothing had to run) and never synchronizes.
// Stateless and thread-safe; callers own all buffers.
#ifndef AURIS_NN_CUDA_KERNELS_H_
#define AURIS_NN_CUDA_KERNELS_H_

#include <cuda_runtime.h>

#include <cstdint>

namespace auris::nn::cuda {

enum class ActivationKind { kRelu, kLeakyRelu, kTanh, kSigmoid, kGelu };

// y (rows, cols) = bias broadcast over rows; bias (cols).
cudaError_t FillRows(const float* bias, int64_t rows, int64_t cols, float* y, cudaStream_t stream);

// out (N, held + T + right, C) = [head (first `held` frames of each stream; head row stride
// head_frames * C; zeros when head is null), x (N, T, C), `right` zero frames].
cudaError_t ConcatTime(const float* head, int64_t head_frames, int64_t held, const float* x,
                       int64_t t, int64_t right, int64_t n, int64_t c, float* out,
                       cudaStream_t stream);

// cols (N * T_out, K * Cg): row (b, i) holds frames i * stride + j * dilation (j < K), channels
// [g * Cg, (g + 1) * Cg) of padded (N, L, C_in).
cudaError_t Im2col(const float* padded, int64_t n, int64_t len, int64_t cin, int64_t t_out,
                   int64_t k, int64_t stride, int64_t dilation, int64_t group, int64_t cg,
                   float* cols, cudaStream_t stream);

// Element-wise y = f(x) over `count` values (in place allowed).
cudaError_t Activate(ActivationKind kind, float negative_slope, const float* x, int64_t count,
                     float* y, cudaStream_t stream);

// Per row of (rows, C): softmax, or log_softmax when `log` (in place allowed).
cudaError_t SoftmaxRows(const float* x, int64_t rows, int64_t c, bool log, float* y,
                        cudaStream_t stream);

// Per row of (rows, C): (x - mean) / sqrt(biased var + eps) * weight + bias.
cudaError_t LayerNormRows(const float* x, const float* weight, const float* bias, float eps,
                          int64_t rows, int64_t c, float* y, cudaStream_t stream);

// y (N, T_out, C): max or mean over frames [i * k, (i + 1) * k) of src (N, L, C).
cudaError_t TimePool(const float* src, int64_t n, int64_t len, int64_t c, int64_t k, int64_t t_out,
                     bool is_max, float* y, cudaStream_t stream);

// One LSTM step for N streams (gate order i, f, g, o): gates_hh (N, 4H) = h W_hh^T,
// gates_x row b at gates_x + b * x_stride (4H, input projection plus both biases);
// updates c and h (N, H) in place and writes h to out + b * out_stride.
cudaError_t LstmCell(const float* gates_hh, const float* gates_x, int64_t x_stride, int64_t n,
                     int64_t hidden, float* c, float* h, float* out, int64_t out_stride,
                     cudaStream_t stream);

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_KERNELS_H_
