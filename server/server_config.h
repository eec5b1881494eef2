// Every setting of auris-server, with its default. Filled from flags / a config file by main;
// validated once at start-up. Plain value type.
#ifndef AURIS_SERVER_SERVER_CONFIG_H_
#define AURIS_SERVER_SERVER_CONFIG_H_

#include <string>

#include "absl/status/status.h"

namespace auris::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:50051";  // HOST:PORT; port 0 picks a free port
  std::string models_dir;                  // "" = the shipped models
  int metrics_port = 0;                    // Prometheus /metrics on 127.0.0.1; 0 = off
  std::string metrics_host = "127.0.0.1";  // address the metrics endpoint binds
  std::string backend = "cpu";             // "cpu" or "cuda"
  int workers = 0;  // DSP/NN worker threads; 0 = one per usable core (cgroup CPU limit aware)
  // Streaming recognition: ASR streams per batched network step (1 = each stream alone), and
  // how long a partial batch waits for more streams.
  int max_batch_size = 1;     // 1..1024
  int max_batch_wait_ms = 5;  // 0..1000

  // Limits.
  int max_message_bytes = 32 << 20;         // per gRPC message; larger: RESOURCE_EXHAUSTED
  double max_unary_audio_seconds = 600;     // longer unary audio: OUT_OF_RANGE
  double max_stream_seconds = 3600;         // audio per stream; more: OUT_OF_RANGE
  int max_concurrent_streams = 256;         // streaming RPCs at once; more: RESOURCE_EXHAUSTED
  double stream_idle_timeout_seconds = 30;  // no message for this long: DEADLINE_EXCEEDED

  // Connection management (gRPC channel arguments).
  int keepalive_time_ms = 30000;            // server pings an idle connection this often
  int keepalive_timeout_ms = 10000;         // and drops it if the ping is not answered
  int min_client_ping_interval_ms = 10000;  // clients may ping at most this often
  int max_connection_age_ms = 0;            // 0 = unlimited; set it behind a load balancer
  int max_connection_age_grace_ms = 30000;  // time to finish calls after that age

  // Shutdown.
  double drain_grace_seconds = 10;  // in-flight calls may finish this long after SIGTERM

  std::string log_format = "json";  // "json" or "text"

  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_SERVER_CONFIG_H_
