// The one place where absl::Status becomes grpc::Status. Thread-safe.
#ifndef AURIS_SERVER_STATUS_UTIL_H_
#define AURIS_SERVER_STATUS_UTIL_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace auris::server {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace auris::server

#endif  // AURIS_SERVER_STATUS_UTIL_H_
