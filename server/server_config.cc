#include "server/server_config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::server {
namespace {

absl::Status OutOfRange(const char* field, double value, const char* allowed) {
  return absl::InvalidArgumentError(
      absl::StrFormat("%s = %g is not allowed; allowed: %s", field, value, allowed));
}

}  // namespace

absl::Status ServerConfig::Validate() const {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "listen = \"", listen, "\" is not allowed; allowed: HOST:PORT with a port in 0..65535"));
  }
  if (metrics_port < 0 || metrics_port > 65535) {
    return OutOfRange("metrics_port", metrics_port, "0 (off) or 1..65535");
  }
  if (backend != "cpu" && backend != "cuda") {
    return absl::InvalidArgumentError(
        absl::StrCat("backend = \"", backend, "\" is not allowed; allowed: cpu, cuda"));
  }
  if (workers < 0 || workers > 256) return OutOfRange("workers", workers, "0 (auto)..256");
  if (max_batch_size < 1 || max_batch_size > 1024) {
    return OutOfRange("max_batch_size", max_batch_size, "1 (no batching)..1024");
  }
  if (max_batch_wait_ms < 0 || max_batch_wait_ms > 1000) {
    return OutOfRange("max_batch_wait_ms", max_batch_wait_ms, "0..1000");
  }
  if (max_message_bytes < 4096 || max_message_bytes > (1 << 30)) {
    return OutOfRange("max_message_bytes", max_message_bytes, "4096..1073741824");
  }
  if (!(max_unary_audio_seconds > 0 && max_unary_audio_seconds <= 86400)) {
    return OutOfRange("max_unary_audio_seconds", max_unary_audio_seconds, "(0, 86400]");
  }
  if (!(max_stream_seconds > 0 && max_stream_seconds <= 7 * 86400)) {
    return OutOfRange("max_stream_seconds", max_stream_seconds, "(0, 604800]");
  }
  if (max_concurrent_streams < 1 || max_concurrent_streams > 100000) {
    return OutOfRange("max_concurrent_streams", max_concurrent_streams, "1..100000");
  }
  if (!(stream_idle_timeout_seconds > 0 && stream_idle_timeout_seconds <= 3600)) {
    return OutOfRange("stream_idle_timeout_seconds", stream_idle_timeout_seconds, "(0, 3600]");
  }
  if (keepalive_time_ms < 1000)
    return OutOfRange("keepalive_time_ms", keepalive_time_ms, ">= 1000");
  if (keepalive_timeout_ms < 100) {
    return OutOfRange("keepalive_timeout_ms", keepalive_timeout_ms, ">= 100");
  }
  if (min_client_ping_interval_ms < 0) {
    return OutOfRange("min_client_ping_interval_ms", min_client_ping_interval_ms, ">= 0");
  }
  if (max_connection_age_ms < 0) {
    return OutOfRange("max_connection_age_ms", max_connection_age_ms, "0 (unlimited) or more");
  }
  if (max_connection_age_grace_ms < 0) {
    return OutOfRange("max_connection_age_grace_ms", max_connection_age_grace_ms, ">= 0");
  }
  if (!(drain_grace_seconds >= 0 && drain_grace_seconds <= 3600)) {
    return OutOfRange("drain_grace_seconds", drain_grace_seconds, "0..3600");
  }
  if (log_format != "json" && log_format != "text") {
    return absl::InvalidArgumentError(
        absl::StrCat("log_format = \"", log_format, "\" is not allowed; allowed: json, text"));
  }
  return absl::OkStatus();
}

std::string ServerConfig::ToString() const {
  return absl::StrFormat(
      "listen=%s models_dir=%s metrics_port=%d backend=%s workers=%d max_batch_size=%d "
      "max_batch_wait_ms=%d max_message_bytes=%d "
      "max_unary_audio_seconds=%g max_stream_seconds=%g max_concurrent_streams=%d "
      "stream_idle_timeout_seconds=%g keepalive_time_ms=%d keepalive_timeout_ms=%d "
      "max_connection_age_ms=%d drain_grace_seconds=%g log_format=%s",
      listen, models_dir, metrics_port, backend, workers, max_batch_size, max_batch_wait_ms,
      max_message_bytes, max_unary_audio_seconds, max_stream_seconds, max_concurrent_streams,
      stream_idle_timeout_seconds, keepalive_time_ms, keepalive_timeout_ms, max_connection_age_ms,
      drain_grace_seconds, log_format);
}

}  // namespace auris::server
