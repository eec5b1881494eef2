// Request ids and status names for logs and metrics. Thread-safe.
#ifndef AURIS_SERVER_REQUEST_ID_H_
#define AURIS_SERVER_REQUEST_ID_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"

namespace auris::server {

// The client's "x-request-id" metadata if it sent a usable one (1..64 printable ASCII
// characters), else a new id.
std::string RequestIdOf(const grpc::CallbackServerContext* context);
// "OK", "INVALID_ARGUMENT", ... (the gRPC names).
std::string StatusCodeName(const absl::Status& status);

}  // namespace auris::server

#endif  // AURIS_SERVER_REQUEST_ID_H_
