#include "bench/load_phases_unary.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "bench/load_server.h"
#include "bench/load_stats.h"
#include "bench/load_stream_client.h"

namespace auris::bench {

using json = nlohmann::json;

json RunMemory(const Options& o, const std::string& address, pid_t pid,
               const std::vector<std::string>& audio) {
  const int total = std::max(2, o.memory_streams);
  const int first = std::max(1, total / 4);
  const size_t chunk_bytes = static_cast<size_t>(o.sample_rate * o.chunk_ms / 1000) * 2;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::optional<long> rss0 = VmRssKib(pid);
  if (!rss0) return {{"error", "cannot read /proc/<pid>/status"}};

  // Opens `count` streams; each sends its config and one chunk and gets its first answer.
  int failed = 0;
  auto open = [&](int count) {
    auto set = std::make_unique<StreamSet>(o, address, count, 1);
    for (int i = 0; i < count; ++i) {
      set->clients()[i]->SendChunk(
          std::string_view(audio[static_cast<size_t>(i) % audio.size()]).substr(0, chunk_bytes),
          o.sample_rate * o.chunk_ms / 1000);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    for (auto& c : set->clients()) failed += c->WaitResponses(1, deadline) ? 0 : 1;
    return set;
  };
  auto a = open(first);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long rss_first = VmRssKib(pid).value_or(0);
  auto b = open(total - first);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const long rss_total = VmRssKib(pid).value_or(0);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  a->FinishAndWait(deadline);
  b->FinishAndWait(deadline);
  return {{"streams", total},
          {"channels", a->channels() + b->channels()},
          {"streams_without_first_answer", failed},
          {"rss_kib_0_streams", *rss0},
          {"rss_kib_" + std::to_string(first) + "_streams", rss_first},
          {"rss_kib_" + std::to_string(total) + "_streams", rss_total},
          {"kib_per_stream", Round(static_cast<double>(rss_total - *rss0) / total, 1)},
          {"kib_per_stream_marginal",
           Round(static_cast<double>(rss_total - rss_first) / (total - first), 1)},
          {"note",
           "kib_per_stream = (rss_S - rss_0) / S; marginal = the slope between S/4 and S "
           "streams (excludes one-time costs such as the first connection and plans)"}};
}

json RunUnary(const Options& o, const std::string& address, pid_t pid, const std::string& audio) {
  v1::DenoiseRequest request;
  *request.mutable_config() = Linear16Config(o);
  request.set_audio_content(audio);
  const double audio_seconds = static_cast<double>(audio.size() / 2) / o.sample_rate;
  const int threads = std::max(1, o.unary_threads);
  std::vector<std::unique_ptr<v1::Enhancement::Stub>> stubs;
  for (int t = 0; t < threads; ++t) {
    stubs.push_back(v1::Enhancement::NewStub(MakeChannel(address, 1000 + t)));
  }
  auto call = [&](v1::Enhancement::Stub* stub) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    v1::DenoiseResponse response;
    return stub->Denoise(&context, request, &response);
  };
  for (auto& stub : stubs) call(stub.get());  // warm-up: connections and the first plans

  std::atomic<int> next{0}, errors{0};
  std::mutex mu;
  std::string first_error;
  std::vector<double> latency_ms;
  const double cpu_before = CpuSeconds(pid);
  const double client_cpu_before = CpuSeconds(getpid());
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (next.fetch_add(1) < o.unary_calls) {
        const auto begin = Clock::now();
        const grpc::Status status = call(stubs[t].get());
        const double ms = Ms(Clock::now() - begin);
        std::lock_guard<std::mutex> lock(mu);
        if (status.ok()) {
          latency_ms.push_back(ms);
        } else {
          ++errors;
          if (first_error.empty()) first_error = status.error_message();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double wall = Seconds(Clock::now() - start);
  const double cpu_after = CpuSeconds(pid);
  const double client_cpu = CpuSeconds(getpid()) - client_cpu_before;
  const double total_audio = audio_seconds * static_cast<double>(latency_ms.size());
  std::vector<double> per_call_rtf;
  for (double ms : latency_ms) per_call_rtf.push_back(ms / 1000.0 / audio_seconds);
  json out = {{"calls", o.unary_calls},
              {"client_threads", threads},
              {"audio_seconds_per_call", Round(audio_seconds)},
              {"errors", errors.load()},
              {"first_error", first_error},
              {"wall_seconds", Round(wall)},
              {"audio_seconds_total", Round(total_audio)},
              {"audio_seconds_per_wall_second", Round(total_audio / wall, 1)},
              {"rtf_wall", Round(wall / std::max(total_audio, 1e-9), 5)},
              {"call_latency_ms", Summary(latency_ms)},
              {"rtf_per_call", Summary(per_call_rtf)},
              {"client_cpu_cores_used", Round(client_cpu / wall)}};
  out["rtf_per_call"]["note"] = "call latency / call audio seconds (under concurrency)";
  if (cpu_before >= 0 && cpu_after >= 0) {
    out["server_cpu_seconds"] = Round(cpu_after - cpu_before);
    out["rtf_server_cpu"] = Round((cpu_after - cpu_before) / std::max(total_audio, 1e-9), 5);
    out["server_cpu_cores_used"] = Round((cpu_after - cpu_before) / wall);
  }
  return out;
}

}  // namespace auris::bench
