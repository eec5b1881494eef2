// The CUDA executor behind the NetworkRunner interface: a CudaNetwork (weights uploaded once
// to device 0) whose states are CudaNetworkStates (each with its own CUDA stream and cuBLAS
// handle). Outputs are downloaded into the caller's Workspace, so the host side allocates
// nothing in steady state. States cannot be stacked yet (can_stack() is false): cross-stream
// batching steps each stream alone on the device. Immutable; thread-safety as NetworkRunner.
#ifndef AURIS_NN_CUDA_CUDA_NETWORK_RUNNER_H_
#define AURIS_NN_CUDA_CUDA_NETWORK_RUNNER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <utility>

#include "absl/status/statusor.h"
#include "nn/cuda/cuda_network.h"
#include "nn/model_file.h"
#include "nn/network_runner.h"

namespace auris::nn::cuda {

class CudaNetworkRunner : public NetworkRunner {
 public:
  // Errors of CudaNetwork::FromModelFile: FAILED_PRECONDITION without a usable device,
  // UNIMPLEMENTED for a layer type with no CUDA kernel, INVALID_ARGUMENT for a bad file.
  static absl::StatusOr<std::unique_ptr<CudaNetworkRunner>> FromModelFile(const ModelFile& file);

  BackendKind backend() const override { return BackendKind::kCuda; }
  absl::StatusOr<std::unique_ptr<RunnerState>> InitState(int64_t batch = 1) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, RunnerState* state,
                                     Workspace* ws) const override;
  bool can_stack() const override { return false; }
  absl::Status StackInto(std::span<RunnerState* const> states, RunnerState* batched) const override;
  absl::Status Unstack(RunnerState* batched, std::span<RunnerState* const> states) const override;

 private:
  class State;
  explicit CudaNetworkRunner(std::unique_ptr<CudaNetwork> network) : network_(std::move(network)) {}

  std::unique_ptr<CudaNetwork> network_;
};

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_CUDA_NETWORK_RUNNER_H_
