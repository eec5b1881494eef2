// Runs a unary RPC's work on a worker and finishes it with logging, metrics, drain and
// request-id handling shared by every service. Thread-safe.
#ifndef AURIS_SERVER_UNARY_CALL_H_
#define AURIS_SERVER_UNARY_CALL_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "server/server_state.h"

namespace auris::server {

// `work` runs on a worker thread; it returns the call's status and may set `audio_seconds`.
// Draining servers answer UNAVAILABLE without running it.
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, ServerState* state,
                                   const std::string& method,
                                   std::function<absl::Status(double* audio_seconds)> work);

}  // namespace auris::server

#endif  // AURIS_SERVER_UNARY_CALL_H_
