// auris-server: flags (CLI11, optional --config file), start, serve until SIGTERM/SIGINT,
// drain, exit 0.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "server/auris_server.h"
#include "server/logger.h"
#include "server/metrics_http.h"

#ifndef AURIS_SHIPPED_MODELS_DIR
#define AURIS_SHIPPED_MODELS_DIR "models/shipped"
#endif

namespace {

using auris::server::Logger;
using auris::server::ServerConfig;

void AddFlags(CLI::App* app, ServerConfig* c, std::string* port_file) {
  app->add_option("--listen", c->listen, "HOST:PORT to serve gRPC on (port 0 = any free port)")
      ->capture_default_str();
  app->add_option("--models_dir", c->models_dir, "Folder of model descriptors (*.json)")
      ->capture_default_str();
  app->add_option("--metrics_port", c->metrics_port, "Prometheus /metrics port; 0 = off")
      ->capture_default_str();
  app->add_option("--metrics_host", c->metrics_host, "Address the metrics endpoint binds")
      ->capture_default_str();
  app->add_option("--backend", c->backend, "Compute backend: cpu or cuda")->capture_default_str();
  app->add_option("--workers", c->workers, "Worker threads; 0 = one per core")
      ->capture_default_str();
  app->add_option("--max_batch_size", c->max_batch_size,
                  "Streaming ASR streams per batched network step; 1 = no batching")
      ->capture_default_str();
  app->add_option("--max_batch_wait_ms", c->max_batch_wait_ms,
                  "How long a partial ASR batch waits for more streams")
      ->capture_default_str();
  app->add_option("--max_message_bytes", c->max_message_bytes, "Largest gRPC message accepted")
      ->capture_default_str();
  app->add_option("--max_unary_audio_seconds", c->max_unary_audio_seconds,
                  "Longest audio a unary call accepts")
      ->capture_default_str();
  app->add_option("--max_stream_seconds", c->max_stream_seconds,
                  "Most audio one streaming call may carry")
      ->capture_default_str();
  app->add_option("--max_concurrent_streams", c->max_concurrent_streams,
                  "Streaming calls open at once")
      ->capture_default_str();
  app->add_option("--stream_idle_timeout_seconds", c->stream_idle_timeout_seconds,
                  "End a stream whose client sends nothing for this long")
      ->capture_default_str();
  app->add_option("--keepalive_time_ms", c->keepalive_time_ms, "Ping idle connections this often")
      ->capture_default_str();
  app->add_option("--keepalive_timeout_ms", c->keepalive_timeout_ms,
                  "Drop a connection whose ping is unanswered this long")
      ->capture_default_str();
  app->add_option("--min_client_ping_interval_ms", c->min_client_ping_interval_ms,
                  "Clients may ping at most this often")
      ->capture_default_str();
  app->add_option("--max_connection_age_ms", c->max_connection_age_ms,
                  "Close connections after this age so clients rebalance; 0 = never")
      ->capture_default_str();
  app->add_option("--max_connection_age_grace_ms", c->max_connection_age_grace_ms,
                  "Time calls get to finish after max_connection_age")
      ->capture_default_str();
  app->add_option("--drain_grace_seconds", c->drain_grace_seconds,
                  "On SIGTERM/SIGINT, time in-flight calls get before they are cancelled")
      ->capture_default_str();
  app->add_option("--log_format", c->log_format, "json or text")->capture_default_str();
  app->add_option("--port_file", *port_file,
                  "Write the bound gRPC port here once SERVING (for scripts and tests)");
}

void ScheduleSweep(boost::asio::steady_timer* timer, auris::server::ServerState* state) {
  timer->expires_after(std::chrono::milliseconds(200));
  timer->async_wait([timer, state](const boost::system::error_code& ec) {
    if (ec) return;
    state->SweepIdleStreams();
    ScheduleSweep(timer, state);
  });
}

}  // namespace

int main(int argc, char** argv) {
  ServerConfig config;
  config.models_dir = AURIS_SHIPPED_MODELS_DIR;
  std::string port_file;
  CLI::App app{"auris-server: real-time speech over gRPC (auris.v1)"};
  app.set_config("--config", "", "Read flags from a TOML or INI file (flag names as keys)");
  AddFlags(&app, &config, &port_file);
  CLI11_PARSE(app, argc, argv);
  Logger::SetJson(config.log_format != "text");

  boost::asio::io_context io;
  boost::asio::signal_set signal_set(io, SIGTERM, SIGINT);
  std::promise<int> stop;
  signal_set.async_wait([&stop](const boost::system::error_code& ec, int sig) {
    if (!ec) stop.set_value(sig);
  });

  Logger::Info("starting", {{"config", config.ToString()}});
  absl::StatusOr<std::unique_ptr<auris::server::AurisServer>> server =
      auris::server::AurisServer::Start(config);
  if (!server.ok()) {
    Logger::Error("cannot start", {{"error", server.status().ToString()}});
    return 1;
  }
  auris::server::ServerState* state = &(*server)->state();
  boost::asio::steady_timer sweep(io);
  ScheduleSweep(&sweep, state);
  std::unique_ptr<auris::server::MetricsHttp> metrics;
  if (config.metrics_port > 0) {
    absl::StatusOr<std::unique_ptr<auris::server::MetricsHttp>> m =
        auris::server::MetricsHttp::Start(&io, config.metrics_host, config.metrics_port, state);
    if (!m.ok()) {
      Logger::Error("cannot start metrics", {{"error", m.status().ToString()}});
      return 1;
    }
    metrics = *std::move(m);
  }
  std::thread io_thread([&io] { io.run(); });
  const std::string address =
      absl::StrCat(config.listen.substr(0, config.listen.rfind(':')), ":", (*server)->port());
  if (!port_file.empty()) {
    std::ofstream(port_file) << (*server)->port() << "\n";
  }
  Logger::Info("SERVING",
               {{"address", address}, {"metrics_port", absl::StrCat(config.metrics_port)}});

  const int sig = stop.get_future().get();
  Logger::Info("signal received; draining", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*server)->Drain();
  sweep.cancel();
  metrics.reset();
  io.stop();
  io_thread.join();
  server->reset();
  Logger::Info("stopped cleanly");
  return 0;
}
