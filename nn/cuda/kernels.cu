#include <cfloat>

#include "nn/cuda/kernels.h"

namespace auris::nn::cuda {
namespace {

constexpr int kThreads = 256;

int Blocks(int64_t count) {
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 ? blocks : 65535);
}

__global__ void FillRowsKernel(const float* bias, int64_t rows, int64_t cols, float* y) {
  const int64_t total = rows * cols;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    y[i] = bias[i % cols];
  }
}

__global__ void ConcatTimeKernel(const float* head, int64_t head_frames, int64_t held,
                                 const float* x, int64_t t, int64_t right, int64_t n, int64_t c,
                                 float* out) {
  const int64_t len = held + t + right;
  const int64_t total = n * len * c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total;
       i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t ch = i % c;
    const int64_t f = (i / c) % len;
    const int64_t b = i / (c * len);
    float v = 0.0f;
    if (f < held) {
      if (head != nullptr) v = head[(b * head_frames + f) * c + ch];
    } else if (f < held + t) {
      v = x[(b * t + f - held) * c + ch];
    }
    out[i] = v;
  }
}

__global__ void Im2colKernel(const float* padded, int64_t n, int64_t len, int64_t cin,
                             int64_t t_out, int64_t k, int64_t stride, int64_t dilation,
                             int64_t group, int64_t cg, float* cols) {
  const int64_t row = k * cg;
  const int64_t total = n * t_out * row;
  for (int64_t idx = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; idx < total;
       idx += int64_t{gridDim.x} * blockDim.x) {
    const int64_t c = idx % cg;
    const int64_t j = (idx / cg) % k;
    const int64_t i = (idx / row) % t_out;
    const int64_t b = idx / (row * t_out);
    const int64_t frame = i * stride + j * dilation;
    cols[idx] = padded[(b * len + frame) * cin + group * cg + c];
  }
}

__global__ void ActivateKernel(ActivationKind kind, float slope, const float* x, int64_t count,
                               float* y) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count;
       i += int64_t{gridDim.x} * blockDim.x) {
    const float v = x[i];
    float r = v;
    switch (kind) {
      case ActivationKind::kRelu:
        r = v > 0.0f ? v : 0.0f;
        break;
      case ActivationKind::kLeakyRelu:
        r = v >= 0.0f ? v : v * slope;
        break;
      case ActivationKind::kTanh:
        r = tanhf(v);
        break;
      case ActivationKind::kSigmoid:
        r = 1.0f / (1.0f + expf(-v));
        break;
      case ActivationKind::kGelu:
        r = 0.5f * v * (1.0f + erff(v * 0.70710678118654752f));
        break;
    }
    y[i] = r;
  }
}

// Block-wide sum or max of `v` (one value per thread); every thread gets the result.
__device__ float BlockReduce(float v, bool is_max, float* shared) {
  shared[threadIdx.x] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (threadIdx.x < s) {
      const float o = shared[threadIdx.x + s];
      shared[threadIdx.x] = is_max ? fmaxf(shared[threadIdx.x], o) : shared[threadIdx.x] + o;
    }
    __syncthreads();
  }
  const float r = shared[0];
  __syncthreads();
  return r;
}

__global__ void SoftmaxRowsKernel(const float* x, int64_t rows, int64_t c, bool log, float* y) {
  __shared__ float shared[kThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* in = x + r * c;
    float* out = y + r * c;
    float m = -FLT_MAX;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) m = fmaxf(m, in[j]);
    m = BlockReduce(m, true, shared);
    float s = 0.0f;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) s += expf(in[j] - m);
    s = BlockReduce(s, false, shared);
    const float log_sum = logf(s);
    const float inv = 1.0f / s;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) {
      out[j] = log ? in[j] - m - log_sum : expf(in[j] - m) * inv;
    }
  }
}

__global__ void LayerNormRowsKernel(const float* x, const float* weight, const float* bias,
                                    float eps, int64_t rows, int64_t c, float* y) {
  __shared__ float shared[kThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* in = x + r * c;
    float* out = y + r * c;
    float s = 0.0f;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) s += in[j];
    const float mean = BlockReduce(s, false, shared) / static_cast<float>(c);
    float sq = 0.0f;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) {
      const float d = in[j] - mean;
      sq += d * d;
    }
    const float var = BlockReduce(sq, false, shared) / static_cast<float>(c);
    const float inv_std = rsqrtf(var + eps);
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) {
      out[j] = (in[j] - mean) * inv_std * weight[j] + bias[j];
    }
  }
}

__global__ void TimePoolKernel(const float* src, int64_t n, int64_t len, int64_t c, int64_t k,
                               int64_t t_out, bool is_max, float* y) {
  const int64_t total = n * t_out * c;
  for (int64_t idx = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; idx < total;
       idx += int64_t{gridDim.x} * blockDim.x) {
    const int64_t ch = idx % c;
    const int64_t i = (idx / c) % t_out;
    const int64_t b = idx / (c * t_out);
    const float* first = src + (b * len + i * k) * c + ch;
    float acc = first[0];
    for (int64_t j = 1; j < k; ++j) {
      const float v = first[j * c];
      acc = is_max ? fmaxf(acc, v) : acc + v;
    }
    y[idx] = is_max ? acc : acc * (1.0f / static_cast<float>(k));
  }
}

__device__ float Sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

__global__ void LstmCellKernel(const float* gates_hh, const float* gates_x, int64_t x_stride,
                               int64_t n, int64_t hidden, float* c, float* h, float* out,
                               int64_t out_stride) {
  const int64_t total = n * hidden;
  for (int64_t idx = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; idx < total;
       idx += int64_t{gridDim.x} * blockDim.x) {
    const int64_t j = idx % hidden;
    const int64_t b = idx / hidden;
    const float* gh = gates_hh + b * 4 * hidden;
    const float* gx = gates_x + b * x_stride;
    const float i_gate = Sigmoid(gh[j] + gx[j]);
    const float f_gate = Sigmoid(gh[hidden + j] + gx[hidden + j]);
    const float g_gate = tanhf(gh[2 * hidden + j] + gx[2 * hidden + j]);
    const float o_gate = Sigmoid(gh[3 * hidden + j] + gx[3 * hidden + j]);
    const float cell = f_gate * c[idx] + i_gate * g_gate;
    const float hid = o_gate * tanhf(cell);
    c[idx] = cell;
    h[idx] = hid;
    out[b * out_stride + j] = hid;
  }
}

cudaError_t Launched() { return cudaGetLastError(); }

}  // namespace

cudaError_t FillRows(const float* bias, int64_t rows, int64_t cols, float* y, cudaStream_t stream) {
  if (rows * cols == 0) return cudaSuccess;
  FillRowsKernel<<<Blocks(rows * cols), kThreads, 0, stream>>>(bias, rows, cols, y);
  return Launched();
}

cudaError_t ConcatTime(const float* head, int64_t head_frames, int64_t held, const float* x,
                       int64_t t, int64_t right, int64_t n, int64_t c, float* out,
                       cudaStream_t stream) {
  const int64_t total = n * (held + t + right) * c;
  if (total == 0) return cudaSuccess;
  ConcatTimeKernel<<<Blocks(total), kThreads, 0, stream>>>(head, head_frames, held, x, t, right, n,
                                                           c, out);
  return Launched();
}

cudaError_t Im2col(const float* padded, int64_t n, int64_t len, int64_t cin, int64_t t_out,
                   int64_t k, int64_t stride, int64_t dilation, int64_t group, int64_t cg,
                   float* cols, cudaStream_t stream) {
  const int64_t total = n * t_out * k * cg;
  if (total == 0) return cudaSuccess;
  Im2colKernel<<<Blocks(total), kThreads, 0, stream>>>(padded, n, len, cin, t_out, k, stride,
                                                       dilation, group, cg, cols);
  return Launched();
}

cudaError_t Activate(ActivationKind kind, float negative_slope, const float* x, int64_t count,
                     float* y, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  ActivateKernel<<<Blocks(count), kThreads, 0, stream>>>(kind, negative_slope, x, count, y);
  return Launched();
}

cudaError_t SoftmaxRows(const float* x, int64_t rows, int64_t c, bool log, float* y,
                        cudaStream_t stream) {
  if (rows * c == 0) return cudaSuccess;
  const int blocks = static_cast<int>(rows < 65535 ? rows : 65535);
  SoftmaxRowsKernel<<<blocks, kThreads, 0, stream>>>(x, rows, c, log, y);
  return Launched();
}

cudaError_t LayerNormRows(const float* x, const float* weight, const float* bias, float eps,
                          int64_t rows, int64_t c, float* y, cudaStream_t stream) {
  if (rows * c == 0) return cudaSuccess;
  const int blocks = static_cast<int>(rows < 65535 ? rows : 65535);
  LayerNormRowsKernel<<<blocks, kThreads, 0, stream>>>(x, weight, bias, eps, rows, c, y);
  return Launched();
}

cudaError_t TimePool(const float* src, int64_t n, int64_t len, int64_t c, int64_t k, int64_t t_out,
                     bool is_max, float* y, cudaStream_t stream) {
  const int64_t total = n * t_out * c;
  if (total == 0) return cudaSuccess;
  TimePoolKernel<<<Blocks(total), kThreads, 0, stream>>>(src, n, len, c, k, t_out, is_max, y);
  return Launched();
}

cudaError_t LstmCell(const float* gates_hh, const float* gates_x, int64_t x_stride, int64_t n,
                     int64_t hidden, float* c, float* h, float* out, int64_t out_stride,
                     cudaStream_t stream) {
  if (n * hidden == 0) return cudaSuccess;
  LstmCellKernel<<<Blocks(n * hidden), kThreads, 0, stream>>>(gates_hh, gates_x, x_stride, n,
                                                              hidden, c, h, out, out_stride);
  return Launched();
}

}  // namespace auris::nn::cuda
