#include "nn/cuda/cuda_util.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn::cuda {

absl::Status CudaStatus(cudaError_t err, std::string_view what) {
  if (err == cudaSuccess) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(std::string(what), ": ", cudaGetErrorString(err)));
}

absl::Status CublasStatus(cublasStatus_t status, std::string_view what) {
  if (status == CUBLAS_STATUS_SUCCESS) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(std::string(what), ": ", cublasGetStatusString(status)));
}

absl::StatusOr<DeviceBuffer> Allocate(int64_t floats, bool zero) {
  const size_t bytes = sizeof(float) * static_cast<size_t>(std::max<int64_t>(floats, 1));
  void* p = nullptr;
  if (absl::Status s = CudaStatus(cudaMalloc(&p, bytes), "cudaMalloc"); !s.ok()) return s;
  DeviceBuffer buffer(static_cast<float*>(p));
  if (zero) {
    if (absl::Status s = CudaStatus(cudaMemset(p, 0, bytes), "cudaMemset"); !s.ok()) return s;
  }
  return buffer;
}

absl::StatusOr<DeviceBuffer> Upload(const float* host, int64_t count) {
  absl::StatusOr<DeviceBuffer> buffer = Allocate(count);
  if (!buffer.ok() || count == 0) return buffer;
  absl::Status s = CudaStatus(
      cudaMemcpy(buffer->get(), host, sizeof(float) * count, cudaMemcpyHostToDevice), "upload");
  if (!s.ok()) return s;
  return buffer;
}

absl::StatusOr<StreamHandle> CreateStream() {
  cudaStream_t stream = nullptr;
  absl::Status s =
      CudaStatus(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  if (!s.ok()) return s;
  return StreamHandle(stream);
}

absl::StatusOr<CublasHandle> CreateCublas(cudaStream_t stream) {
  cublasHandle_t handle = nullptr;
  if (absl::Status s = CublasStatus(cublasCreate(&handle), "cublasCreate"); !s.ok()) return s;
  CublasHandle owned(handle);
  if (absl::Status s = CublasStatus(cublasSetStream(handle, stream), "cublasSetStream"); !s.ok()) {
    return s;
  }
  absl::Status s = CublasStatus(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMath");
  if (!s.ok()) return s;
  return owned;
}

absl::Status GemmNT(cublasHandle_t handle, int64_t m, int64_t n, int64_t k, const float* a,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return absl::OkStatus();
  const float alpha = 1.0f;
  // Row-major C = A B^T is column-major C^T = B A^T: B read transposed, A as is.
  return CublasStatus(
      cublasSgemm(handle, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(n), static_cast<int>(m),
                  static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a, static_cast<int>(lda),
                  &beta, c, static_cast<int>(ldc)),
      "cublasSgemm");
}

absl::StatusOr<float*> DeviceArena::Get(int64_t floats) {
  if (next_ == slots_.size()) slots_.emplace_back();
  Slot& slot = slots_[next_++];
  if (slot.capacity < floats || slot.buffer == nullptr) {
    slot.buffer.reset();
    const int64_t capacity = std::max<int64_t>(floats, 1);
    absl::StatusOr<DeviceBuffer> buffer = Allocate(capacity);
    if (!buffer.ok()) return buffer.status();
    slot.buffer = *std::move(buffer);
    slot.capacity = capacity;
  }
  return slot.buffer.get();
}

}  // namespace auris::nn::cuda
