// Batch scheduler for streaming recognition (ARCHITECTURE §6): collects ASR streams that have
// audio to decode and runs them on the worker pool through models::AsrBatcher, one batched
// network step for many streams. A batch of one pipeline leaves as soon as max_batch_size
// streams wait, or max_batch_wait_ms after its first stream arrived (0: as soon as a worker
// picks up the timer). Each stream is in at most one batch at a time: its owner submits its
// next chunk only after the previous `done` ran, so a stream's audio is never reordered.
// Errors are per stream. Thread-safe; must outlive every pending batch and timer (the owner
// joins the worker pool before destroying it).
#ifndef AURIS_SERVER_ASR_BATCH_SCHEDULER_H_
#define AURIS_SERVER_ASR_BATCH_SCHEDULER_H_

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "models/asr/asr_batcher.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_result.h"
#include "models/asr/asr_stream.h"
#include "server/metrics.h"

namespace auris::server {

class AsrBatchScheduler {
 public:
  // The stream's status and its events of this chunk (the callee may take them).
  using Done = std::function<void(absl::Status status, std::vector<models::AsrEvent>* events)>;

  // max_batch_size >= 1, max_batch_wait_ms >= 0; batches and timers run on `executor`. Each
  // batch is recorded in `metrics` when not null (it must outlive the scheduler).
  AsrBatchScheduler(int max_batch_size, int max_batch_wait_ms,
                    boost::asio::thread_pool::executor_type executor, Metrics* metrics = nullptr);

  // `stream` (created by `pipeline`) takes `samples` (mono at its input rate) in a coming
  // batch; `done` then runs on a worker. `stream` and `samples` must stay valid and unused by
  // anyone else until `done` has been called.
  void Submit(const models::AsrPipeline* pipeline, models::AsrStream* stream,
              std::span<const float> samples, Done done);

  // Batches run so far and the most streams one of them held (metrics, tests).
  int64_t batches() const;
  int largest_batch() const;

 private:
  struct Item {
    models::AsrStream* stream;
    std::span<const float> samples;
    Done done;
  };
  struct Queue {
    std::vector<Item> waiting;
    std::unique_ptr<boost::asio::steady_timer> timer;
    uint64_t generation = 0;  // bumped by every dispatch; a stale timer does nothing
    std::vector<std::unique_ptr<models::AsrBatcher>> idle_batchers;
  };

  // With mu_ held: moves up to max_batch_size waiting items into a batch job on the pool.
  void DispatchLocked(const models::AsrPipeline* pipeline, Queue* queue);
  void RunBatch(const models::AsrPipeline* pipeline, std::vector<Item> items);

  const int max_batch_size_;
  const int max_batch_wait_ms_;
  const boost::asio::thread_pool::executor_type executor_;
  Metrics* const metrics_;
  mutable std::mutex mu_;
  std::map<const models::AsrPipeline*, Queue> queues_;
  int64_t batches_ = 0;
  int largest_batch_ = 0;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_ASR_BATCH_SCHEDULER_H_
