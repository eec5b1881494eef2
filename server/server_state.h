// State shared by every service of one auris-server: config, models, workers, limits,
// metrics and drain. Thread-safe; outlives the gRPC server.
#ifndef AURIS_SERVER_SERVER_STATE_H_
#define AURIS_SERVER_SERVER_STATE_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <set>

#include "models/model_registry.h"
#include "server/asr_batch_scheduler.h"
#include "server/metrics.h"
#include "server/server_config.h"
#include "server/streaming_call.h"

namespace auris::server {

class ServerState {
 public:
  ServerState(ServerConfig config, std::unique_ptr<models::ModelRegistry> registry);
  ~ServerState();

  const ServerConfig& config() const { return config_; }
  const models::ModelRegistry& registry() const { return *registry_; }
  Metrics& metrics() { return metrics_; }

  // Runs `job` on a worker thread (DSP and network work never runs on gRPC threads).
  void Post(std::function<void()> job);
  // Waits for queued jobs and stops the workers.
  void JoinWorkers();
  // Batches streaming recognition steps; null when max_batch_size is 1 (no batching).
  AsrBatchScheduler* asr_batches() { return asr_batches_.get(); }

  bool draining() const { return draining_.load(); }
  void StartDraining() { draining_.store(true); }

  // False (and nothing registered) when max_concurrent_streams are already open.
  bool RegisterStream(StreamingCall* call);
  // The call has finished (its status is on the way): it no longer counts against the cap.
  void StreamFinished();
  // gRPC is done with the call: it is no longer swept.
  void UnregisterStream(StreamingCall* call);
  // Streams registered and not yet finished.
  int active_streams() const { return open_streams_.load(); }
  // Ends streams idle for longer than stream_idle_timeout_seconds.
  void SweepIdleStreams();

  // Unary calls in progress (for drain).
  void UnaryStarted() { unary_in_flight_.fetch_add(1); }
  void UnaryFinished() { unary_in_flight_.fetch_sub(1); }
  int calls_in_flight() const { return unary_in_flight_.load() + active_streams(); }

 private:
  const ServerConfig config_;
  const std::unique_ptr<models::ModelRegistry> registry_;
  Metrics metrics_;
  boost::asio::thread_pool workers_;
  std::unique_ptr<AsrBatchScheduler> asr_batches_;  // runs on workers_, joined before it goes
  std::atomic<bool> draining_{false};
  std::atomic<int> unary_in_flight_{0};
  std::atomic<int> open_streams_{0};
  mutable std::mutex streams_mu_;
  std::set<StreamingCall*> streams_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_SERVER_STATE_H_
