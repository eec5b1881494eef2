#include "server/proto_time.h"

namespace auris::server {

constexpr int64_t kNanosPerSecond = 1000000000LL;

void SetDuration(int64_t ns, google::protobuf::Duration* out) {
  out->set_seconds(ns / kNanosPerSecond);
  out->set_nanos(static_cast<int32_t>(ns % kNanosPerSecond));
}

void SetSampleDuration(int64_t samples, int rate_hz, google::protobuf::Duration* out) {
  out->set_seconds(samples / rate_hz);
  out->set_nanos(static_cast<int32_t>(samples % rate_hz * kNanosPerSecond / rate_hz));
}

}  // namespace auris::server
