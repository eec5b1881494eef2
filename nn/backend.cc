#include "nn/backend.h"

#include "absl/strings/str_cat.h"

#ifdef AURIS_HAVE_CUDA
#include "nn/cuda/device.h"
#endif

namespace auris::nn {

absl::StatusOr<BackendKind> ParseBackend(std::string_view name) {
  if (name == "cpu") return BackendKind::kCpu;
  if (name == "cuda") return BackendKind::kCuda;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown backend '", std::string(name), "'; allowed: cpu, cuda"));
}

std::string_view BackendName(BackendKind kind) {
  return kind == BackendKind::kCpu ? "cpu" : "cuda";
}

bool CudaBackendBuilt() {
#ifdef AURIS_HAVE_CUDA
  return true;
#else
  return false;
#endif
}

absl::Status CheckBackendAvailable(BackendKind kind) {
  if (kind == BackendKind::kCpu) return absl::OkStatus();
#ifdef AURIS_HAVE_CUDA
  const cuda::DeviceQuery query = cuda::QueryDevices();
  if (query.device_count > 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("the cuda backend is built but no CUDA device is usable here (", query.error,
                   "); use --backend cpu"));
#else
  return absl::FailedPreconditionError(
      "this binary was built without the cuda backend (configure with -DAURIS_WITH_CUDA=ON "
      "where the CUDA toolkit is installed); use --backend cpu");
#endif
}

}  // namespace auris::nn
