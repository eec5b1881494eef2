// Batched recognition steps (ARCHITECTURE §6): takes a chunk of audio for each of several
// AsrStreams of one pipeline, runs each stream's front end, then runs the network for many
// streams at once (their NetworkStates stacked into one batch, so every layer does one GEMM
// over (N x T) rows and the LSTM one GEMM per time step for all N), unstacks, and gives each
// stream its rows of the output for endpointing and decoding exactly as AsrStream::Accept
// would. Results equal running each stream alone (up to float rounding of the GEMMs).
// Streams with no complete network frame ready are left out of the network step. Every call
// consumes all the rows each stream has ready: first one step for all ready streams over the
// rows they all have, then further steps for the streams with rows left (fewer each time), so
// no stream falls behind because it was batched with streams that send smaller chunks.
// Flush stays per stream (AsrStream::Flush).
// Backends: stacking needs a runner that can stack states (the CPU's). On a runner that cannot
// (CUDA: no device-side Stack yet) every stream takes its own network step on the device, with
// the same results; last_largest_step() is then 1.
// Ownership and threads: an AsrBatcher belongs to one worker thread and owns the batch
// workspace (input rows, network scratch, stacked states), so steady-state steps allocate
// nothing once the batch sizes seen have been warmed up. A call must own all its streams: no
// other thread may use them while it runs. The pipeline must outlive the batcher.
#ifndef AURIS_MODELS_ASR_ASR_BATCHER_H_
#define AURIS_MODELS_ASR_ASR_BATCHER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_result.h"
#include "models/asr/asr_stream.h"
#include "nn/network_runner.h"
#include "nn/workspace.h"

namespace auris::models {

class AsrBatcher {
 public:
  explicit AsrBatcher(const AsrPipeline* pipeline) : pipeline_(pipeline) {}

  // streams[i] (distinct, created by this batcher's pipeline, not flushed) takes samples[i]
  // (mono in [-1, 1] at its input rate; may be empty); events is resized to streams.size()
  // and (*events)[i] receives stream i's events. INVALID_ARGUMENT for mismatched sizes, a
  // null, foreign or repeated stream (nothing is processed then). Otherwise every stream is
  // processed; a stream that fails is left out of later steps of this call, its error is
  // returned prefixed by "stream i: " (the first one if several) and, when `statuses` is not
  // null, statuses[i] holds each stream's own status (resized to streams.size()).
  absl::Status AcceptBatch(std::span<AsrStream* const> streams,
                           std::span<const std::span<const float>> samples,
                           std::vector<std::vector<AsrEvent>>* events,
                           std::vector<absl::Status>* statuses = nullptr);

  // Network steps run by the last AcceptBatch (0 when no stream had a frame ready).
  int last_network_steps() const { return last_network_steps_; }
  // Streams in the largest network step of the last AcceptBatch.
  int last_largest_step() const { return last_largest_step_; }
  // Heap allocations of the network scratch so far (fixed once the step shapes repeat).
  int64_t workspace_heap_allocations() const { return workspace_.heap_allocations(); }

 private:
  static constexpr size_t kCachedStates = 8;

  absl::Status CheckArguments(std::span<AsrStream* const> streams, size_t num_samples) const;
  // One network step over streams `members_` (indices into `streams`), `rows` rows each.
  void RunStep(std::span<AsrStream* const> streams, int64_t rows,
               std::vector<std::vector<AsrEvent>>* events);
  // Runs the step for more than one stream: stack, forward, unstack, hand out the rows.
  absl::Status RunStacked(std::span<AsrStream* const> streams, int64_t rows,
                          std::vector<std::vector<AsrEvent>>* events);
  // A batched state for `batch` streams, reused across calls (least recently used dropped).
  absl::StatusOr<nn::RunnerState*> BatchedState(int64_t batch);

  const AsrPipeline* const pipeline_;
  nn::Workspace workspace_;
  std::vector<float> input_;  // (N, T, feature_dim) of the current step
  std::vector<std::pair<int64_t, std::unique_ptr<nn::RunnerState>>> states_;  // most recent last
  std::vector<int64_t> remaining_;  // rows each stream still has to feed in this call
  std::vector<absl::Status> status_;
  std::vector<size_t> members_;
  std::vector<nn::RunnerState*> member_states_;
  int last_network_steps_ = 0;
  int last_largest_step_ = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_BATCHER_H_
