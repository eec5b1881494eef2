// The CPU executor behind the NetworkRunner interface: exactly nn::Network::Forward (same
// kernels, same Workspace use, so outputs are bit-identical to calling the Network), plus
// stacking of states for cross-stream batching. Holds a non-owning pointer to the network,
// which must outlive the runner. Immutable; thread-safety as NetworkRunner.
#ifndef AURIS_NN_CPU_NETWORK_RUNNER_H_
#define AURIS_NN_CPU_NETWORK_RUNNER_H_

#include <cstdint>
#include <memory>
#include <span>

#include "nn/network.h"
#include "nn/network_runner.h"

namespace auris::nn {

class CpuNetworkRunner : public NetworkRunner {
 public:
  explicit CpuNetworkRunner(const Network* network) : network_(network) {}

  BackendKind backend() const override { return BackendKind::kCpu; }
  absl::StatusOr<std::unique_ptr<RunnerState>> InitState(int64_t batch = 1) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, RunnerState* state,
                                     Workspace* ws) const override;
  bool can_stack() const override { return true; }
  // As Network::StackInto / Unstack; the pointer list is kept in `batched`, so a worker that
  // reuses its batched state allocates nothing in steady state.
  absl::Status StackInto(std::span<RunnerState* const> states, RunnerState* batched) const override;
  absl::Status Unstack(RunnerState* batched, std::span<RunnerState* const> states) const override;

 private:
  class State;
  // The NetworkStates of `states` into `batched`'s pointer list; INVALID_ARGUMENT for foreign
  // states.
  absl::Status Collect(std::span<RunnerState* const> states, const char* what,
                       State* batched) const;

  const Network* const network_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CPU_NETWORK_RUNNER_H_
