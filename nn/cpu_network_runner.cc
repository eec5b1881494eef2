#include "nn/cpu_network_runner.h"

#include <utility>
#include <vector>

namespace auris::nn {

class CpuNetworkRunner::State : public RunnerState {
 public:
  State(const CpuNetworkRunner* runner, std::unique_ptr<NetworkState> state)
      : RunnerState(runner, state->batch()), state_(std::move(state)) {}

  NetworkState* network_state() { return state_.get(); }
  std::vector<NetworkState*>* members() { return &members_; }

 private:
  std::unique_ptr<NetworkState> state_;
  std::vector<NetworkState*> members_;  // scratch of StackInto / Unstack, capacity kept
};

absl::StatusOr<std::unique_ptr<RunnerState>> CpuNetworkRunner::InitState(int64_t batch) const {
  if (batch < 1) return absl::InvalidArgumentError("InitState: batch must be >= 1");
  return std::make_unique<State>(this, network_->InitState(batch));
}

absl::StatusOr<TensorView> CpuNetworkRunner::Forward(ConstTensorView in, RunnerState* state,
                                                     Workspace* ws) const {
  if (absl::Status s = CheckOwnState(state, "network Forward"); !s.ok()) return s;
  return network_->Forward(in, static_cast<State*>(state)->network_state(), ws);
}

absl::Status CpuNetworkRunner::Collect(std::span<RunnerState* const> states, const char* what,
                                       State* batched) const {
  std::vector<NetworkState*>* members = batched->members();
  members->clear();
  for (RunnerState* s : states) {
    if (absl::Status st = CheckOwnState(s, what); !st.ok()) return st;
    members->push_back(static_cast<State*>(s)->network_state());
  }
  return absl::OkStatus();
}

absl::Status CpuNetworkRunner::StackInto(std::span<RunnerState* const> states,
                                         RunnerState* batched) const {
  if (absl::Status s = CheckOwnState(batched, "StackInto"); !s.ok()) return s;
  auto* into = static_cast<State*>(batched);
  if (absl::Status s = Collect(states, "StackInto", into); !s.ok()) return s;
  return network_->StackInto(*into->members(), into->network_state());
}

absl::Status CpuNetworkRunner::Unstack(RunnerState* batched,
                                       std::span<RunnerState* const> states) const {
  if (absl::Status s = CheckOwnState(batched, "Unstack"); !s.ok()) return s;
  auto* from = static_cast<State*>(batched);
  if (absl::Status s = Collect(states, "Unstack", from); !s.ok()) return s;
  return network_->Unstack(*from->network_state(), *from->members());
}

}  // namespace auris::nn
