#include "server/asr_batch_scheduler.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <iterator>
#include <utility>

namespace auris::server {

AsrBatchScheduler::AsrBatchScheduler(int max_batch_size, int max_batch_wait_ms,
                                     boost::asio::thread_pool::executor_type executor,
                                     Metrics* metrics)
    : max_batch_size_(std::max(1, max_batch_size)),
      max_batch_wait_ms_(std::max(0, max_batch_wait_ms)),
      executor_(std::move(executor)),
      metrics_(metrics) {}

void AsrBatchScheduler::Submit(const models::AsrPipeline* pipeline, models::AsrStream* stream,
                               std::span<const float> samples, Done done) {
  std::lock_guard<std::mutex> lock(mu_);
  Queue& queue = queues_[pipeline];
  queue.waiting.push_back({stream, samples, std::move(done)});
  if (static_cast<int>(queue.waiting.size()) >= max_batch_size_) {
    DispatchLocked(pipeline, &queue);
    return;
  }
  if (queue.waiting.size() > 1) return;  // the first one armed the timer
  if (queue.timer == nullptr) queue.timer = std::make_unique<boost::asio::steady_timer>(executor_);
  const uint64_t generation = queue.generation;
  queue.timer->expires_after(std::chrono::milliseconds(max_batch_wait_ms_));
  queue.timer->async_wait([this, pipeline, generation](const boost::system::error_code&) {
    std::lock_guard<std::mutex> lock(mu_);
    Queue& q = queues_[pipeline];
    if (q.generation == generation && !q.waiting.empty()) DispatchLocked(pipeline, &q);
  });
}

int64_t AsrBatchScheduler::batches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return batches_;
}

int AsrBatchScheduler::largest_batch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return largest_batch_;
}

void AsrBatchScheduler::DispatchLocked(const models::AsrPipeline* pipeline, Queue* queue) {
  ++queue->generation;
  if (queue->timer != nullptr) queue->timer->cancel();
  const auto take = static_cast<std::ptrdiff_t>(
      std::min(queue->waiting.size(), static_cast<size_t>(max_batch_size_)));
  std::vector<Item> items(std::make_move_iterator(queue->waiting.begin()),
                          std::make_move_iterator(queue->waiting.begin() + take));
  queue->waiting.erase(queue->waiting.begin(), queue->waiting.begin() + take);
  ++batches_;
  largest_batch_ = std::max(largest_batch_, static_cast<int>(items.size()));
  if (metrics_ != nullptr) metrics_->RecordAsrBatch(static_cast<int>(items.size()));
  boost::asio::post(executor_, [this, pipeline, items = std::move(items)]() mutable {
    RunBatch(pipeline, std::move(items));
  });
}

void AsrBatchScheduler::RunBatch(const models::AsrPipeline* pipeline, std::vector<Item> items) {
  std::unique_ptr<models::AsrBatcher> batcher;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::unique_ptr<models::AsrBatcher>>& idle = queues_[pipeline].idle_batchers;
    if (!idle.empty()) {
      batcher = std::move(idle.back());
      idle.pop_back();
    }
  }
  if (batcher == nullptr) batcher = std::make_unique<models::AsrBatcher>(pipeline);
  std::vector<models::AsrStream*> streams;
  std::vector<std::span<const float>> samples;
  for (const Item& item : items) {
    streams.push_back(item.stream);
    samples.push_back(item.samples);
  }
  std::vector<std::vector<models::AsrEvent>> events;
  std::vector<absl::Status> statuses;
  const absl::Status status = batcher->AcceptBatch(streams, samples, &events, &statuses);
  {
    std::lock_guard<std::mutex> lock(mu_);
    queues_[pipeline].idle_batchers.push_back(std::move(batcher));
  }
  // A rejected batch (bad arguments) processed no stream: every stream gets its error.
  const bool per_stream = statuses.size() == items.size();
  events.resize(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].done(per_stream ? statuses[i] : status, &events[i]);
  }
}

}  // namespace auris::server
