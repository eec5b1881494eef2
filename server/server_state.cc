#include "server/server_state.h"

#include <boost/asio/post.hpp>
#include <thread>
#include <vector>

namespace auris::server {
namespace {

int WorkerCount(const ServerConfig& config) {
  if (config.workers > 0) return config.workers;
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : static_cast<int>(n);
}

}  // namespace

ServerState::ServerState(ServerConfig config, std::unique_ptr<models::ModelRegistry> registry)
    : config_(std::move(config)), registry_(std::move(registry)), workers_(WorkerCount(config_)) {}

ServerState::~ServerState() { JoinWorkers(); }

void ServerState::Post(std::function<void()> job) { boost::asio::post(workers_, std::move(job)); }

void ServerState::JoinWorkers() { workers_.join(); }

bool ServerState::RegisterStream(StreamingCall* call) {
  if (open_streams_.fetch_add(1) >= config_.max_concurrent_streams) {
    open_streams_.fetch_sub(1);
    return false;
  }
  std::lock_guard<std::mutex> lock(streams_mu_);
  streams_.insert(call);
  metrics_.StreamOpened();
  return true;
}

void ServerState::StreamFinished() {
  open_streams_.fetch_sub(1);
  metrics_.StreamClosed();
}

void ServerState::UnregisterStream(StreamingCall* call) {
  std::lock_guard<std::mutex> lock(streams_mu_);
  streams_.erase(call);
}

void ServerState::SweepIdleStreams() {
  std::vector<StreamingCall*> held;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    held.reserve(streams_.size());
    for (StreamingCall* call : streams_) {
      call->Ref();
      held.push_back(call);
    }
  }
  const auto timeout = std::chrono::duration_cast<StreamingCall::Clock::duration>(
      std::chrono::duration<double>(config_.stream_idle_timeout_seconds));
  const auto now = StreamingCall::Clock::now();
  for (StreamingCall* call : held) {
    call->ExpireIfIdle(now, timeout);
    call->Unref();
  }
}

}  // namespace auris::server
