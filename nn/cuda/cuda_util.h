// RAII handles and error helpers of the CUDA backend: device buffers (cudaFree deleter), a
// stream and a cuBLAS handle, cudaError_t / cublasStatus_t -> absl::Status, and a row-major
// cuBLAS GEMM. Owners are movable, not copyable; a handle is used by one thread at a time.
#ifndef AURIS_NN_CUDA_CUDA_UTIL_H_
#define AURIS_NN_CUDA_CUDA_UTIL_H_

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn::cuda {

struct CudaFree {
  void operator()(float* p) const { cudaFree(p); }
};
// `floats` float32 values on the current device; owned.
using DeviceBuffer = std::unique_ptr<float, CudaFree>;

struct StreamDestroy {
  void operator()(CUstream_st* s) const { cudaStreamDestroy(s); }
};
using StreamHandle = std::unique_ptr<CUstream_st, StreamDestroy>;

struct CublasDestroy {
  void operator()(cublasContext* h) const { cublasDestroy(h); }
};
using CublasHandle = std::unique_ptr<cublasContext, CublasDestroy>;

// INTERNAL "<what>: <CUDA message>" unless err is cudaSuccess.
absl::Status CudaStatus(cudaError_t err, std::string_view what);
absl::Status CublasStatus(cublasStatus_t status, std::string_view what);

// cudaMalloc of `floats` values (at least one); zeroed when `zero`.
absl::StatusOr<DeviceBuffer> Allocate(int64_t floats, bool zero = false);
// A device copy of `count` host floats.
absl::StatusOr<DeviceBuffer> Upload(const float* host, int64_t count);

// A non-blocking stream and a cuBLAS handle bound to it (default math: FP32, no TF32).
absl::StatusOr<StreamHandle> CreateStream();
absl::StatusOr<CublasHandle> CreateCublas(cudaStream_t stream);

// Row-major C(M, N) = A(M, K) * B(N, K)^T + beta * C with leading dimensions (in floats),
// as cublasSgemm on the handle's stream. M, N or K of 0: C is scaled by beta (or untouched).
absl::Status GemmNT(cublasHandle_t handle, int64_t m, int64_t n, int64_t k, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Scratch device memory for one Forward call: slots handed out in order and reused by the
// next call after Reset(), growing only when a call needs more (so equal-sized chunks
// allocate nothing after the first). Pointers are valid until the next Reset().
class DeviceArena {
 public:
  void Reset() { next_ = 0; }
  absl::StatusOr<float*> Get(int64_t floats);

 private:
  struct Slot {
    DeviceBuffer buffer;
    int64_t capacity = 0;
  };
  std::vector<Slot> slots_;
  size_t next_ = 0;
};

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_CUDA_UTIL_H_
