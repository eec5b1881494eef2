// What the server needs from an in-progress streaming RPC to enforce the idle timeout.
// Implementations are reference-counted so a sweep can hold one safely.
#ifndef AURIS_SERVER_STREAMING_CALL_H_
#define AURIS_SERVER_STREAMING_CALL_H_

#include <chrono>

namespace auris::server {

class StreamingCall {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~StreamingCall() = default;
  virtual void Ref() = 0;
  virtual void Unref() = 0;  // may delete the call
  // Ends the call with DEADLINE_EXCEEDED if it has waited for the client longer than
  // `timeout`. Thread-safe.
  virtual void ExpireIfIdle(Clock::time_point now, Clock::duration timeout) = 0;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAMING_CALL_H_
