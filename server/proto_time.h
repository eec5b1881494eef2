// google.protobuf.Duration from nanoseconds or from a sample count at a rate. Pure functions;
// thread-safe.
#ifndef AURIS_SERVER_PROTO_TIME_H_
#define AURIS_SERVER_PROTO_TIME_H_

#include <google/protobuf/duration.pb.h>

#include <cstdint>

namespace auris::server {

// `ns` >= 0.
void SetDuration(int64_t ns, google::protobuf::Duration* out);
// The time `samples` (>= 0) take at `rate_hz` (> 0), truncated to whole nanoseconds.
void SetSampleDuration(int64_t samples, int rate_hz, google::protobuf::Duration* out);

}  // namespace auris::server

#endif  // AURIS_SERVER_PROTO_TIME_H_
