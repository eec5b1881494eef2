#include "models/asr/asr_batcher.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::models {

absl::Status AsrBatcher::AcceptBatch(std::span<AsrStream* const> streams,
                                     std::span<const std::span<const float>> samples,
                                     std::vector<std::vector<AsrEvent>>* events,
                                     std::vector<absl::Status>* statuses) {
  last_network_steps_ = 0;
  last_largest_step_ = 0;
  if (events == nullptr) return absl::InvalidArgumentError("AcceptBatch: events is null");
  if (absl::Status s = CheckArguments(streams, samples.size()); !s.ok()) return s;
  const size_t n = streams.size();
  events->resize(n);
  for (std::vector<AsrEvent>& e : *events) e.clear();
  status_.assign(n, absl::OkStatus());
  remaining_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    streams[i]->RunFrontEnd(samples[i], /*flush=*/false);
    remaining_[i] = streams[i]->RowsToFeed(/*flush=*/false);
  }
  const int64_t stride = pipeline_->network().subsampling();
  const bool stack = pipeline_->runner().can_stack();
  while (true) {
    const auto lead =
        std::find_if(remaining_.begin(), remaining_.end(), [](int64_t rows) { return rows > 0; });
    if (lead == remaining_.end()) break;
    // Only streams in the same phase of the strides can share a step (Network::Stack).
    const size_t first = static_cast<size_t>(lead - remaining_.begin());
    const int64_t phase = streams[first]->fed_rows_ % stride;
    int64_t rows = *lead;
    members_.clear();
    for (size_t i = first; i < n; ++i) {
      if (remaining_[i] > 0 && streams[i]->fed_rows_ % stride == phase) {
        members_.push_back(i);
        rows = std::min(rows, remaining_[i]);
        if (!stack) break;
      }
    }
    RunStep(streams, rows, events);
  }
  if (statuses != nullptr) *statuses = status_;
  for (size_t i = 0; i < n; ++i) {
    if (!status_[i].ok()) {
      return absl::Status(status_[i].code(),
                          absl::StrCat("stream ", i, ": ", status_[i].message()));
    }
  }
  return absl::OkStatus();
}

absl::Status AsrBatcher::CheckArguments(std::span<AsrStream* const> streams,
                                        size_t num_samples) const {
  if (num_samples != streams.size()) {
    return absl::InvalidArgumentError(absl::StrCat("AcceptBatch: ", streams.size(), " streams but ",
                                                   num_samples,
                                                   " sample spans; give one per stream"));
  }
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("AcceptBatch: stream ", i, " is null"));
    }
    if (streams[i]->pipeline_ != pipeline_) {
      return absl::InvalidArgumentError(absl::StrCat("AcceptBatch: stream ", i,
                                                     " was created by another pipeline than \"",
                                                     pipeline_->info().name, "\""));
    }
    for (size_t j = 0; j < i; ++j) {
      if (streams[j] == streams[i]) {
        return absl::InvalidArgumentError(absl::StrCat("AcceptBatch: streams ", j, " and ", i,
                                                       " are the same stream; give each once"));
      }
    }
  }
  return absl::OkStatus();
}

void AsrBatcher::RunStep(std::span<AsrStream* const> streams, int64_t rows,
                         std::vector<std::vector<AsrEvent>>* events) {
  ++last_network_steps_;
  last_largest_step_ = std::max(last_largest_step_, static_cast<int>(members_.size()));
  if (members_.size() == 1) {
    const size_t i = members_[0];
    status_[i] = streams[i]->RunNetwork(rows, &workspace_, &(*events)[i]);
    remaining_[i] = status_[i].ok() ? remaining_[i] - rows : 0;
    return;
  }
  if (absl::Status s = RunStacked(streams, rows, events); !s.ok()) {
    for (size_t i : members_) {
      status_[i] = s;
      remaining_[i] = 0;
    }
  }
}

absl::Status AsrBatcher::RunStacked(std::span<AsrStream* const> streams, int64_t rows,
                                    std::vector<std::vector<AsrEvent>>* events) {
  const nn::NetworkRunner& runner = pipeline_->runner();
  const int64_t dim = pipeline_->network().input_channels();
  const int64_t batch = static_cast<int64_t>(members_.size());
  const size_t stream_floats = static_cast<size_t>(rows * dim);
  input_.resize(static_cast<size_t>(batch) * stream_floats);
  member_states_.clear();
  for (size_t j = 0; j < members_.size(); ++j) {
    AsrStream* stream = streams[members_[j]];
    std::memcpy(input_.data() + j * stream_floats, stream->QueuedRows().data(),
                sizeof(float) * stream_floats);
    member_states_.push_back(stream->state_.get());
  }
  absl::StatusOr<nn::RunnerState*> batched = BatchedState(batch);
  if (!batched.ok()) return batched.status();
  if (absl::Status s = runner.StackInto(member_states_, *batched); !s.ok()) return s;
  workspace_.Reset();
  absl::StatusOr<nn::TensorView> out = runner.Forward(
      nn::ConstTensorView(input_.data(), nn::Shape{batch, rows, dim}), *batched, &workspace_);
  if (!out.ok()) return out.status();
  if (absl::Status s = AsrStream::CheckNetworkOutput(*pipeline_, out->shape, batch); !s.ok()) {
    return s;
  }
  if (absl::Status s = runner.Unstack(*batched, member_states_); !s.ok()) return s;
  const int frames = static_cast<int>(out->shape[1]);
  const size_t stream_outputs = static_cast<size_t>(out->shape[1] * out->shape[2]);
  for (size_t j = 0; j < members_.size(); ++j) {
    const size_t i = members_[j];
    status_[i] =
        streams[i]->TakeNetworkOutput(out->data + j * stream_outputs, frames, rows, &(*events)[i]);
    remaining_[i] = status_[i].ok() ? remaining_[i] - rows : 0;
  }
  return absl::OkStatus();
}

absl::StatusOr<nn::RunnerState*> AsrBatcher::BatchedState(int64_t batch) {
  for (size_t k = 0; k < states_.size(); ++k) {
    if (states_[k].first == batch) {
      std::rotate(states_.begin() + static_cast<std::ptrdiff_t>(k),
                  states_.begin() + static_cast<std::ptrdiff_t>(k) + 1, states_.end());
      return states_.back().second.get();
    }
  }
  absl::StatusOr<std::unique_ptr<nn::RunnerState>> state = pipeline_->runner().InitState(batch);
  if (!state.ok()) return state.status();
  if (states_.size() >= kCachedStates) states_.erase(states_.begin());
  states_.emplace_back(batch, *std::move(state));
  return states_.back().second.get();
}

}  // namespace auris::models
