// A tiny HTTP endpoint (Boost.Beast) serving GET /metrics (Prometheus text) and
// GET /healthz (200 while serving, 503 while draining). Runs on the given io_context.
#ifndef AURIS_SERVER_METRICS_HTTP_H_
#define AURIS_SERVER_METRICS_HTTP_H_

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/server_state.h"

namespace auris::server {

class MetricsHttp {
 public:
  // Binds host:port and starts accepting; `state` must outlive the io_context's run.
  static absl::StatusOr<std::unique_ptr<MetricsHttp>> Start(boost::asio::io_context* io,
                                                            const std::string& host, int port,
                                                            ServerState* state);
  ~MetricsHttp();

 private:
  struct Impl;
  explicit MetricsHttp(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_METRICS_HTTP_H_
