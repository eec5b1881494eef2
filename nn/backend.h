// Compute backends of the inference engine. The CPU backend is always built; CUDA only with
// -DAURIS_WITH_CUDA=ON and a toolkit, and is usable only where a device is present.
// Free functions; thread-safe.
#ifndef AURIS_NN_BACKEND_H_
#define AURIS_NN_BACKEND_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

enum class BackendKind { kCpu, kCuda };

// "cpu" or "cuda"; anything else is INVALID_ARGUMENT listing the allowed names.
absl::StatusOr<BackendKind> ParseBackend(std::string_view name);
std::string_view BackendName(BackendKind kind);
// OK if `kind` can run here. CUDA: FAILED_PRECONDITION saying whether the build lacks the
// CUDA backend or the machine lacks a device.
absl::Status CheckBackendAvailable(BackendKind kind);
// True when this binary was built with the CUDA backend.
bool CudaBackendBuilt();

}  // namespace auris::nn

#endif  // AURIS_NN_BACKEND_H_
