#include "bench/load_phases_streaming.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <thread>

#include "bench/load_server.h"
#include "bench/load_stats.h"
#include "bench/load_stream_client.h"

namespace auris::bench {

using json = nlohmann::json;

RunResult RunRealtime(const Options& o, const std::string& address, pid_t server_pid, int streams,
                      double seconds, const std::vector<std::string>& audio) {
  const int chunk_samples = o.sample_rate * o.chunk_ms / 1000;
  const size_t chunk_bytes = static_cast<size_t>(chunk_samples) * 2;
  const int chunks = std::max(1, static_cast<int>(std::lround(seconds * 1000 / o.chunk_ms)));
  const auto period = std::chrono::duration_cast<Clock::duration>(
      std::chrono::microseconds(static_cast<int64_t>(o.chunk_ms) * 1000));

  StreamSet set(o, address, streams, static_cast<size_t>(chunks));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the calls open
  const double cpu_before = CpuSeconds(server_pid);
  const double client_cpu_before = CpuSeconds(getpid());
  const auto t0 = Clock::now() + std::chrono::milliseconds(50);
  std::vector<double> lag_ms;
  lag_ms.reserve(static_cast<size_t>(streams) * chunks);
  for (int k = 0; k < chunks; ++k) {
    for (int i = 0; i < streams; ++i) {
      const auto due = t0 + k * period + (period * i) / streams;
      std::this_thread::sleep_until(due);
      lag_ms.push_back(Ms(Clock::now() - due));
      const std::string& pcm = audio[static_cast<size_t>(i) % audio.size()];
      const size_t at = (static_cast<size_t>(k) * chunk_bytes) % (pcm.size() - chunk_bytes + 1);
      set.clients()[i]->SendChunk(std::string_view(pcm).substr(at, chunk_bytes),
                                  static_cast<int64_t>(k + 1) * chunk_samples);
      if (k == chunks - 1) set.clients()[i]->Finish();
    }
  }
  const auto sent_all = Clock::now();
  set.FinishAndWait(sent_all + std::chrono::seconds(10) +
                        std::chrono::milliseconds(static_cast<int64_t>(o.budget_ms * 4)),
                    /*already_finished=*/true);
  const double wall = Seconds(Clock::now() - t0);
  const double cpu_after = CpuSeconds(server_pid);
  const double client_cpu = CpuSeconds(getpid()) - client_cpu_before;

  std::vector<double> latency_ms;
  latency_ms.reserve(lag_ms.size());
  int64_t sent = 0, answered = 0, late = 0;
  int kept_up = 0, errors = 0;
  std::string first_error;
  for (auto& c : set.clients()) {
    bool ok = c->status().ok();
    if (!ok) {
      ++errors;
      if (first_error.empty()) {
        first_error = std::to_string(c->status().error_code()) + ": " + c->status().error_message();
      }
    }
    const auto& records = c->chunks();
    sent += static_cast<int64_t>(records.size());
    if (records.size() != static_cast<size_t>(chunks)) ok = false;
    for (const auto& r : records) {
      if (!r.is_answered) {
        ++late;
        ok = false;
        continue;
      }
      ++answered;
      const double ms = Ms(r.answered - r.sent);
      latency_ms.push_back(ms);
      if (ms > o.budget_ms) ++late;
    }
    // Fell behind real time: the last chunk is not answered within the budget.
    if (!records.empty() && (!records.back().is_answered ||
                             Ms(records.back().answered - records.back().sent) > o.budget_ms)) {
      ok = false;
    }
    if (ok) ++kept_up;
  }
  std::vector<double> sorted_lag = lag_ms;
  std::sort(sorted_lag.begin(), sorted_lag.end());
  const double max_lag = sorted_lag.empty() ? 0.0 : sorted_lag.back();
  const bool client_kept_pace = max_lag <= o.chunk_ms;
  std::vector<double> sorted_latency = latency_ms;
  std::sort(sorted_latency.begin(), sorted_latency.end());
  const double p99 = Percentile(sorted_latency, 99);

  RunResult result;
  result.report = {
      {"streams", streams},
      {"channels", set.channels()},
      {"seconds_per_stream", Round(chunks * o.chunk_ms / 1000.0)},
      {"chunk_ms", o.chunk_ms},
      {"chunks_sent", sent},
      {"chunks_answered", answered},
      {"latency_ms", Summary(latency_ms)},
      {"late_chunks", late},
      {"late_threshold_ms", o.budget_ms},
      {"streams_kept_up", kept_up},
      {"all_streams_kept_up", kept_up == streams},
      {"errors", errors},
      {"first_error", first_error},
      {"client_send_lag_ms", {{"p99", Round(Percentile(sorted_lag, 99))}, {"max", Round(max_lag)}}},
      {"client_kept_pace", client_kept_pace},
      {"wall_seconds", Round(wall)},
      {"client_cpu_cores_used", Round(client_cpu / wall)}};
  if (cpu_before >= 0 && cpu_after >= 0) {
    const double cpu = cpu_after - cpu_before;
    result.report["server_cpu_seconds"] = Round(cpu);
    result.report["server_cpu_cores_used"] = Round(cpu / wall);
    result.report["server_cpu_seconds_per_audio_second"] =
        Round(cpu / (static_cast<double>(sent) * o.chunk_ms / 1000.0), 5);
  }
  if (!client_kept_pace) {
    result.limited_by = "the client could not send at real time (send lag > chunk period)";
  } else if (errors > 0) {
    result.limited_by = "stream errors: " + first_error;
  } else if (kept_up != streams) {
    result.limited_by = "a stream fell behind real time";
  } else if (p99 > o.budget_ms) {
    result.limited_by = "p99 latency over the budget";
  }
  result.passed = result.limited_by.empty();
  return result;
}

json RunRamp(const Options& o, const std::vector<std::string>& audio) {
  ServerProcess pinned_server;
  std::string address = o.server;
  pid_t pid = -1;
  json out;
  if (o.server.empty()) {
    std::vector<std::string> flags = {"--workers", "1"};
    bool has_cap = false;
    for (const std::string& f : o.server_flags) {
      has_cap = has_cap || f.rfind("--max_concurrent_streams", 0) == 0;
      if (f.rfind("--workers", 0) == 0) {
        out["warning"] = "--workers in the pass-through flags also applies to this phase";
      }
    }
    if (!has_cap) flags.insert(flags.end(), {"--max_concurrent_streams", "100000"});
    flags.insert(flags.end(), o.server_flags.begin(), o.server_flags.end());
    if (std::string e = pinned_server.Start(o.server_binary, flags, o.pin); !e.empty()) {
      return {{"error", e}};
    }
    if (!WaitServing(pinned_server.address(), std::chrono::seconds(30))) {
      return {{"error", "the pinned server never reported SERVING: " + pinned_server.Log()}};
    }
    address = pinned_server.address();
    pid = pinned_server.pid();
    out["server_command"] = pinned_server.command();
    out["server_workers"] = 1;
    out["pinned"] = pinned_server.pinned();
    out["pin_method"] =
        pinned_server.pinned() ? "taskset -c 0" : "none (taskset not found or --no_pin)";
    out["client_affinity"] = pinned_server.pinned() ? MoveClientOffCore0() : "unchanged";
  } else {
    out["pinned"] = false;
    out["pin_method"] = "none (external server: figures are per that server, not per core)";
  }
  out["budget_ms"] = o.budget_ms;
  out["seconds_per_step"] = o.ramp_seconds;

  json steps = json::array();
  int best = 0, first_fail = 0;
  std::string limited_by;
  auto step = [&](int s) {
    Progress("ramp: " + std::to_string(s) + " streams");
    RunResult r = RunRealtime(o, address, pid, s, o.ramp_seconds, audio);
    json summary = {{"streams", s},
                    {"passed", r.passed},
                    {"p50_ms", r.report["latency_ms"]["p50"]},
                    {"p99_ms", r.report["latency_ms"]["p99"]},
                    {"max_ms", r.report["latency_ms"]["max"]},
                    {"late_chunks", r.report["late_chunks"]},
                    {"streams_kept_up", r.report["streams_kept_up"]},
                    {"errors", r.report["errors"]},
                    {"client_send_lag_max_ms", r.report["client_send_lag_ms"]["max"]}};
    if (r.report.contains("server_cpu_cores_used")) {
      summary["server_cpu_cores_used"] = r.report["server_cpu_cores_used"];
    }
    if (!r.passed) summary["limited_by"] = r.limited_by;
    steps.push_back(summary);
    if (r.passed) {
      best = std::max(best, s);
    } else if (first_fail == 0 || s < first_fail) {
      first_fail = s;
      limited_by = r.limited_by;
    }
    return r.passed;
  };
  for (int s : o.ramp) {
    if (!step(s)) break;
  }
  // Bisect between the last passing and the first failing step.
  for (int i = 0; i < o.refine_steps && first_fail > 0 && first_fail - best > 1; ++i) {
    step(best + (first_fail - best) / 2);
  }
  out["steps"] = steps;
  out["streams_per_core"] = best;
  out["first_failing_streams"] = first_fail > 0 ? json(first_fail) : json(nullptr);
  out["limited_by"] = first_fail > 0 ? json(limited_by) : json("ramp ended without a failure");
  return out;
}

}  // namespace auris::bench
