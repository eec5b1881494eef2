// gRPC client side of stream_load_driver: channels, the health wait, and StreamClient, one
// paced StreamingDenoise call that times each chunk until its answer.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "auris/v1/enhancement.grpc.pb.h"
#include "bench/load_options.h"
#include "bench/load_stats.h"

namespace auris::bench {

// Each channel gets distinct arguments and a local subchannel pool: its own TCP connection,
// as separate clients would have.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int id);

// Polls the health service until auris.v1.Enhancement is SERVING; false after `limit`.
bool WaitServing(const std::string& address, std::chrono::seconds limit);

v1::DenoiseConfig Linear16Config(const Options& o);

// A StreamingDenoise call driven by the pacing thread: SendChunk queues a chunk (one write in
// flight at a time), responses are matched to chunks as they arrive. Thread-safe.
class StreamClient final
    : public grpc::ClientBidiReactor<v1::StreamingDenoiseRequest, v1::StreamingDenoiseResponse> {
 public:
  struct Chunk {
    int64_t end_sample;
    Clock::time_point sent;
    Clock::time_point answered;
    bool is_answered = false;
  };

  // `delay_samples`: the model's delay; `max_chunks`: chunks reserved up front.
  StreamClient(int rate, int delay_samples, size_t max_chunks);

  void Start(v1::Enhancement::Stub* stub, const v1::DenoiseConfig& config);

  // Queues one chunk of LINEAR16 audio ending at input sample `end_sample`.
  void SendChunk(std::string_view pcm, int64_t end_sample);

  // Half-closes after the queued chunks; call exactly once.
  void Finish();

  void Cancel() { context_.TryCancel(); }

  bool WaitResponses(int count, Clock::time_point deadline);
  bool WaitDone(Clock::time_point deadline);

  // Valid after WaitDone.
  const std::vector<Chunk>& chunks() const { return chunks_; }
  const grpc::Status& status() const { return status_; }

  void OnWriteDone(bool ok) override { WriteDone(ok); }
  void OnWritesDoneDone(bool ok) override { WriteDone(ok); }
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  struct Pending {
    v1::StreamingDenoiseRequest request;
    bool writes_done;
  };

  // A chunk is answered by the first response whose audio reaches its end minus the delay.
  void MatchLocked(Clock::time_point now);
  void Enqueue(v1::StreamingDenoiseRequest request, bool writes_done);
  // Starts the front write unless one is in flight; releases the lock first (the reaction
  // may run inline). deque::push_back keeps the front element's address.
  void StartFront(std::unique_lock<std::mutex>& lock);
  void WriteDone(bool ok);

  const int rate_;
  const int64_t delay_;
  grpc::ClientContext context_;
  v1::StreamingDenoiseResponse response_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool write_in_flight_ = false;
  bool write_failed_ = false;
  std::vector<Chunk> chunks_;
  size_t next_answer_ = 0;
  int64_t covered_ = 0;
  int responses_ = 0;
  bool done_ = false;
  grpc::Status status_;
};

// A set of started StreamClients spread over channels (streams_per_channel each).
class StreamSet {
 public:
  StreamSet(const Options& o, const std::string& address, int streams, size_t max_chunks);

  // Half-closes every stream and waits for all to end (cancelling stragglers at `deadline`).
  void FinishAndWait(Clock::time_point deadline, bool already_finished = false);

  std::vector<std::unique_ptr<StreamClient>>& clients() { return clients_; }
  int channels() const { return static_cast<int>(stubs_.size()); }

 private:
  std::vector<std::unique_ptr<v1::Enhancement::Stub>> stubs_;
  std::vector<std::unique_ptr<StreamClient>> clients_;
};

}  // namespace auris::bench
