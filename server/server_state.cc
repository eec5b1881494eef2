#include "server/server_state.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace auris::server {
namespace {

// Cores this process may use: the cgroup v2 CPU quota (a container's limit) when there is
// one, else the machine's cores.
int UsableCores() {
  const unsigned n = std::thread::hardware_concurrency();
  int cores = n == 0 ? 2 : static_cast<int>(n);
  std::ifstream cpu_max("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (cpu_max >> quota >> period && quota != "max" && period > 0) {
    const long long q = std::atoll(quota.c_str());
    if (q > 0) cores = std::min(cores, static_cast<int>(std::max(1LL, (q + period - 1) / period)));
  }
  return cores;
}

int WorkerCount(const ServerConfig& config) {
  return config.workers > 0 ? config.workers : UsableCores();
}

}  // namespace

ServerState::ServerState(ServerConfig config, std::unique_ptr<models::ModelRegistry> registry)
    : config_(std::move(config)), registry_(std::move(registry)), workers_(WorkerCount(config_)) {
  if (config_.max_batch_size > 1) {
    asr_batches_ = std::make_unique<AsrBatchScheduler>(
        config_.max_batch_size, config_.max_batch_wait_ms, workers_.get_executor(), &metrics_);
  }
}

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
