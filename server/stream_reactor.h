// Base of every bidirectional streaming RPC: reads one message at a time and hands it to a
// worker (never blocking a gRPC thread), keeps one write in flight with a queue behind it,
// finishes after queued writes drain, enforces the stream cap, idle timeout and drain, and
// logs/records each call. Subclasses implement HandleMessage / HandleEnd, which run on a
// worker, one at a time, in order; a HandleMessage may hand its work on (Defer) and finish it
// later (Resume), the next message being read only then. Lifetime: reference-counted; the
// last Unref deletes.
#ifndef AURIS_SERVER_STREAM_REACTOR_H_
#define AURIS_SERVER_STREAM_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/logger.h"
#include "server/request_id.h"
#include "server/server_state.h"
#include "server/status_util.h"
#include "server/streaming_call.h"

namespace auris::server {

template <typename Request, typename Response>
class StreamReactor : public grpc::ServerBidiReactor<Request, Response>, public StreamingCall {
 public:
  StreamReactor(grpc::CallbackServerContext* context, ServerState* state, std::string method)
      : context_(context),
        state_(state),
        method_(std::move(method)),
        request_id_(RequestIdOf(context)),
        started_(Clock::now()) {
    context_->AddInitialMetadata("x-request-id", request_id_);
  }

  // Call once, at the end of the subclass constructor.
  void Begin() {
    std::lock_guard<std::mutex> lock(mu_);
    if (state_->draining()) {
      FinishLocked(absl::UnavailableError(
          "the server is draining (shutting down); retry on another replica"));
      return;
    }
    if (!state_->RegisterStream(this)) {
      FinishLocked(absl::ResourceExhaustedError(absl::StrCat(
          "too many concurrent streams (the limit is ", state_->config().max_concurrent_streams,
          "); retry later or on another replica")));
      return;
    }
    registered_ = true;
    ReadLocked();
  }

  void Ref() override { refs_.fetch_add(1); }
  void Unref() override {
    if (refs_.fetch_sub(1) == 1) delete this;
  }

  void ExpireIfIdle(Clock::time_point now, Clock::duration timeout) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!read_pending_ || finish_called_ || now - last_activity_ < timeout) return;
    FinishLocked(absl::DeadlineExceededError(absl::StrFormat(
        "no message from the client for %.1f s (stream_idle_timeout_seconds); send audio "
        "continuously or half-close the stream",
        std::chrono::duration<double>(timeout).count())));
  }

 protected:
  // One message from the client. A non-OK status ends the call with that status.
  virtual absl::Status HandleMessage(const Request& request) = 0;
  // The client half-closed: send the last responses. OK ends the call with OK.
  virtual absl::Status HandleEnd() = 0;

  // Queues a response; thread-safe.
  void Send(Response response) {
    std::lock_guard<std::mutex> lock(mu_);
    if (finish_called_ || pending_finish_) return;
    writes_.push_back(std::move(response));
    if (!write_in_flight_) {
      write_in_flight_ = true;
      this->StartWrite(&writes_.front());
    }
  }
  // From HandleMessage: `start` runs once HandleMessage has returned (whose status is then
  // ignored) and must lead to exactly one Resume(status), from any thread. The call stays
  // alive until then, and the next message is read only after it.
  void Defer(std::function<void()> start) { deferred_ = std::move(start); }
  // Ends a deferred message: a non-OK status ends the call with that status.
  void Resume(const absl::Status& status) {
    Complete(status, /*had_message=*/true);
    Unref();
  }
  void AddAudioSeconds(double seconds) { audio_seconds_ += seconds; }
  bool cancelled() const { return cancelled_.load(); }
  ServerState& state() { return *state_; }
  const std::string& request_id() const { return request_id_; }

 private:
  void ReadLocked() {
    read_pending_ = true;
    last_activity_ = Clock::now();
    this->StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    std::optional<Request> message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_pending_ = false;
      last_activity_ = Clock::now();
      if (finish_called_ || pending_finish_) return;
      if (ok) message.emplace(std::move(incoming_));
    }
    Ref();
    state_->Post([this, message = std::move(message)]() mutable {
      Run(message);
      Unref();
    });
  }

  void Run(std::optional<Request>& message) {
    if (cancelled()) return;
    absl::Status status = message ? HandleMessage(*message) : HandleEnd();
    if (deferred_) {
      std::function<void()> start = std::move(deferred_);
      deferred_ = nullptr;
      Ref();  // released by Resume
      start();
      return;
    }
    Complete(status, message.has_value());
  }

  void Complete(const absl::Status& status, bool had_message) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!status.ok() || !had_message) {
      FinishLocked(status);
    } else if (!finish_called_ && !pending_finish_) {
      ReadLocked();
    }
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writes_.pop_front();
    if (!ok) {
      writes_.clear();
      write_in_flight_ = false;
      FinishLocked(absl::CancelledError("the client stopped receiving"));
      return;
    }
    if (!writes_.empty()) {
      this->StartWrite(&writes_.front());
      return;
    }
    write_in_flight_ = false;
    if (pending_finish_ && !finish_called_) {
      CallFinishLocked(*pending_finish_);
    }
  }

  void OnCancel() override {
    cancelled_ = true;
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(absl::CancelledError("the call was cancelled (by the client or its deadline)"));
  }

  void OnDone() override {
    if (registered_) state_->UnregisterStream(this);
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const std::string code = StatusCodeName(final_status_);
    state_->metrics().RecordRequest(method_, code, seconds, audio_seconds_);
    Logger::Info("stream done", {{"request_id", request_id_},
                                 {"method", method_},
                                 {"code", code},
                                 {"error", std::string(final_status_.message())},
                                 {"seconds", absl::StrFormat("%.3f", seconds)},
                                 {"audio_seconds", absl::StrFormat("%.3f", audio_seconds_)}});
    Unref();
  }

  // Finishes now, or after the write in flight (pending writes are kept only on success).
  void FinishLocked(const absl::Status& status) {
    if (finish_called_ || pending_finish_) return;
    if (!write_in_flight_) {
      CallFinishLocked(status);
      return;
    }
    if (!status.ok()) writes_.resize(1);
    pending_finish_ = status;
  }

  void CallFinishLocked(const absl::Status& status) {
    finish_called_ = true;
    final_status_ = status;
    if (registered_) state_->StreamFinished();
    this->Finish(ToGrpcStatus(status));
  }

  grpc::CallbackServerContext* const context_;
  ServerState* const state_;
  const std::string method_;
  const std::string request_id_;
  const Clock::time_point started_;
  std::atomic<int> refs_{1};
  std::atomic<bool> cancelled_{false};
  double audio_seconds_ = 0;
  bool registered_ = false;
  std::function<void()> deferred_;  // set and taken by the worker running the message

  std::mutex mu_;
  Request incoming_;
  std::deque<Response> writes_;
  bool write_in_flight_ = false;
  bool read_pending_ = false;
  bool finish_called_ = false;
  std::optional<absl::Status> pending_finish_;
  absl::Status final_status_;
  Clock::time_point last_activity_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAM_REACTOR_H_
