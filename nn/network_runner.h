// The executor a pipeline runs its network on, chosen at run time (--backend cpu|cuda): the
// streaming computation of nn::Network::Forward, host (N, T, input_channels) -> host
// (N, T_out, output_channels), on the CPU (CpuNetworkRunner) or on a CUDA device
// (cuda::CudaNetworkRunner, only in builds with -DAURIS_WITH_CUDA=ON).
// A runner is immutable after creation; Forward is const and thread-safe across distinct
// states. A RunnerState holds everything one batch of streams changes (conv context, pool
// leftovers, LSTM h/c, on the runner's device) and is used by one thread at a time.
#ifndef AURIS_NN_NETWORK_RUNNER_H_
#define AURIS_NN_NETWORK_RUNNER_H_

#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/backend.h"
#include "nn/tensor.h"
#include "nn/workspace.h"

namespace auris::nn {

class NetworkRunner;

// Opaque state of `batch` streams, made by one runner's InitState and usable only with it.
class RunnerState {
 public:
  virtual ~RunnerState() = default;
  const NetworkRunner* runner() const { return runner_; }
  int64_t batch() const { return batch_; }

 protected:
  RunnerState(const NetworkRunner* runner, int64_t batch) : runner_(runner), batch_(batch) {}

 private:
  const NetworkRunner* const runner_;
  const int64_t batch_;
};

class NetworkRunner {
 public:
  virtual ~NetworkRunner() = default;

  virtual BackendKind backend() const = 0;
  // Fresh state for `batch` >= 1 streams (zero context, zero h/c). INVALID_ARGUMENT for
  // batch < 1; INTERNAL for a device failure.
  virtual absl::StatusOr<std::unique_ptr<RunnerState>> InitState(int64_t batch = 1) const = 0;
  // in: host (N, T, input_channels), N = state->batch() -> host (N, T_out, output_channels)
  // allocated from `ws` (valid until its Reset), the frames Network::Forward gives for the same
  // chunking; `state` is advanced. Synchronous. INVALID_ARGUMENT for a foreign state or a bad
  // shape. The CPU runner allocates nothing once `ws` has warmed up.
  virtual absl::StatusOr<TensorView> Forward(ConstTensorView in, RunnerState* state,
                                             Workspace* ws) const = 0;

  // Cross-stream batching (Network::StackInto / Unstack): true when this runner can stack
  // states. When false, StackInto and Unstack return UNIMPLEMENTED and each stream steps alone.
  virtual bool can_stack() const = 0;
  // One state `batched` (from InitState(sum of their batches)) holding `states` in order.
  virtual absl::Status StackInto(std::span<RunnerState* const> states,
                                 RunnerState* batched) const = 0;
  // The inverse: consecutive streams of `batched` copied back into `states`.
  virtual absl::Status Unstack(RunnerState* batched,
                               std::span<RunnerState* const> states) const = 0;

 protected:
  // OK when `state` is non-null and was made by this runner; INVALID_ARGUMENT naming `what`.
  absl::Status CheckOwnState(const RunnerState* state, const char* what) const;
};

}  // namespace auris::nn

#endif  // AURIS_NN_NETWORK_RUNNER_H_
