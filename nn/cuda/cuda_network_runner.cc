#include "nn/cuda/cuda_network_runner.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn::cuda {
namespace {

absl::Status CannotStack(const char* what) {
  return absl::UnimplementedError(
      absl::StrCat(what, ": the cuda backend cannot stack stream states; step each stream alone"));
}

}  // namespace

class CudaNetworkRunner::State : public RunnerState {
 public:
  State(const CudaNetworkRunner* runner, std::unique_ptr<CudaNetworkState> state)
      : RunnerState(runner, state->batch()), state_(std::move(state)) {}
  CudaNetworkState* device_state() { return state_.get(); }

 private:
  std::unique_ptr<CudaNetworkState> state_;
};

absl::StatusOr<std::unique_ptr<CudaNetworkRunner>> CudaNetworkRunner::FromModelFile(
    const ModelFile& file) {
  absl::StatusOr<std::unique_ptr<CudaNetwork>> network = CudaNetwork::FromModelFile(file);
  if (!network.ok()) return network.status();
  return std::unique_ptr<CudaNetworkRunner>(new CudaNetworkRunner(*std::move(network)));
}

absl::StatusOr<std::unique_ptr<RunnerState>> CudaNetworkRunner::InitState(int64_t batch) const {
  absl::StatusOr<std::unique_ptr<CudaNetworkState>> state = network_->InitState(batch);
  if (!state.ok()) return state.status();
  return std::make_unique<State>(this, *std::move(state));
}

absl::StatusOr<TensorView> CudaNetworkRunner::Forward(ConstTensorView in, RunnerState* state,
                                                      Workspace* ws) const {
  if (absl::Status s = CheckOwnState(state, "cuda network Forward"); !s.ok()) return s;
  return network_->Forward(in, static_cast<State*>(state)->device_state(), ws);
}

absl::Status CudaNetworkRunner::StackInto(std::span<RunnerState* const> states,
                                          RunnerState* batched) const {
  return CannotStack("StackInto");
}

absl::Status CudaNetworkRunner::Unstack(RunnerState* batched,
                                        std::span<RunnerState* const> states) const {
  return CannotStack("Unstack");
}

}  // namespace auris::nn::cuda
