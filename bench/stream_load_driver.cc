// stream_load_driver: load test of the real auris-server (the "classic" denoiser) over gRPC.
// Starts auris-server itself (fork/exec, like tests/server/server_process.h) unless --server
// HOST:PORT is given, and measures
//   memory:   server VmRSS with 0 vs S idle-but-configured streams (each sent one chunk);
//   realtime: S concurrent StreamingDenoise streams paced at real time, per-chunk latency;
//   unary:    N Denoise calls of 10 s audio from C threads, as fast as possible;
//   ramp:     streams per core: a --workers 1 server pinned to core 0, S raised until the p99
//             latency exceeds the budget or a stream falls behind real time.
// Prints one JSON object on stdout (progress goes to stderr). Never asserts times.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/load_audio.h"
#include "bench/load_options.h"
#include "bench/load_phases_streaming.h"
#include "bench/load_phases_unary.h"
#include "bench/load_server.h"
#include "bench/load_stats.h"
#include "bench/load_stream_client.h"

namespace auris::bench {
namespace {

using json = nlohmann::json;

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{
      "Load driver for auris-server StreamingDenoise/Denoise (classic). Prints one JSON object. "
      "Flags after `--` are passed to the server it starts."};
  app.add_option("--server", o.server, "HOST:PORT of a running server (default: start one)");
  app.add_option("--server_binary", o.server_binary, "auris-server to start")
      ->capture_default_str();
  app.add_option("--workers", o.workers, "--workers of the started server; 0 = its default")
      ->capture_default_str();
  app.add_flag("!--no_pin", o.pin, "Do not pin the streams-per-core server to core 0");
  app.add_option("--model", o.model, "Denoise model")->capture_default_str();
  app.add_option("--sample_rate", o.sample_rate, "LINEAR16 sample rate")->capture_default_str();
  app.add_option("--chunk_ms", o.chunk_ms, "Streaming chunk length")->capture_default_str();
  app.add_option("--model_delay_samples", o.model_delay_samples,
                 "The model's internal delay: a chunk ending at input sample e is answered by "
                 "the first response reaching e - delay")
      ->capture_default_str();
  app.add_option("--budget_ms", o.budget_ms, "p99 latency budget; a chunk over it is late")
      ->capture_default_str();
  app.add_option("--streams", o.streams, "Concurrent streams in the real-time phase")
      ->capture_default_str();
  app.add_option("--seconds", o.seconds, "Audio seconds per stream in the real-time phase")
      ->capture_default_str();
  app.add_option("--ramp", o.ramp, "Stream counts tried for streams per core")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--ramp_seconds", o.ramp_seconds, "Audio seconds per ramp step")
      ->capture_default_str();
  app.add_option("--refine_steps", o.refine_steps, "Bisection steps after the first failure")
      ->capture_default_str();
  app.add_option("--memory_streams", o.memory_streams, "Idle streams for memory per stream")
      ->capture_default_str();
  app.add_option("--unary_calls", o.unary_calls, "Denoise calls in the unary phase")
      ->capture_default_str();
  app.add_option("--unary_threads", o.unary_threads, "Client threads in the unary phase")
      ->capture_default_str();
  app.add_option("--unary_audio_seconds", o.unary_audio_seconds, "Audio per Denoise call")
      ->capture_default_str();
  app.add_option("--streams_per_channel", o.streams_per_channel,
                 "Streams sharing one channel (TCP connection)")
      ->capture_default_str();
  app.add_option("--phases", o.phases, "Phases to run: memory,realtime,unary,ramp")
      ->delimiter(',')
      ->capture_default_str();
  app.add_flag("--quick", o.quick, "A few seconds in total, for smoke checks");
  app.add_option("server_flags", o.server_flags, "Extra auris-server flags (after --)");
  CLI11_PARSE(app, argc, argv);
  if (o.quick) {
    auto unset = [&](const char* name) { return app.count(name) == 0; };
    if (unset("--streams")) o.streams = 4;
    if (unset("--seconds")) o.seconds = 2;
    if (unset("--ramp")) o.ramp = {1, 16, 64};
    if (unset("--ramp_seconds")) o.ramp_seconds = 1;
    if (unset("--refine_steps")) o.refine_steps = 0;
    if (unset("--memory_streams")) o.memory_streams = 32;
    if (unset("--unary_calls")) o.unary_calls = 4;
    if (unset("--unary_threads")) o.unary_threads = 2;
  }
  if (o.chunk_ms <= 0 || o.sample_rate < 8000 || o.streams < 1 || o.seconds <= 0) {
    std::cerr << "invalid --chunk_ms/--sample_rate/--streams/--seconds\n";
    return 2;
  }
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  const auto start = Clock::now();
  json out;
  out["tool"] = "stream_load_driver";
  out["timestamp"] = UtcTimestamp();
  out["command_line"] = command_line;
  out["nproc"] = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  out["cpu_model"] = CpuModel();
  out["loadavg_at_start"] = LoadAverage();
  out["flags"] = OptionsJson(o);

  Progress("generating audio");
  const double longest = std::max(o.seconds, o.ramp_seconds) + 1.0;
  std::vector<std::string> audio;
  for (uint32_t seed = 1; seed <= 8; ++seed) {
    audio.push_back(SpeechLikeLinear16(o.sample_rate, longest, seed));
  }
  const std::string unary_audio = SpeechLikeLinear16(o.sample_rate, o.unary_audio_seconds, 99);
  out["audio"] =
      "speech-like synthetic (harmonic syllables with formants, pauses) + white and "
      "low-passed noise at ~5 dB SNR, LINEAR16 mono";

  ServerProcess server;
  std::string address = o.server;
  pid_t pid = -1;
  const bool main_phases = HasPhase(o, "memory") || HasPhase(o, "realtime") || HasPhase(o, "unary");
  if (main_phases) {
    if (o.server.empty()) {
      std::vector<std::string> flags;
      if (o.workers > 0) flags = {"--workers", std::to_string(o.workers)};
      bool has_cap = false;
      for (const std::string& f : o.server_flags) {
        has_cap = has_cap || f.rfind("--max_concurrent_streams", 0) == 0;
      }
      if (!has_cap) flags.insert(flags.end(), {"--max_concurrent_streams", "100000"});
      flags.insert(flags.end(), o.server_flags.begin(), o.server_flags.end());
      Progress("starting auris-server");
      if (std::string e = server.Start(o.server_binary, flags, /*pin=*/false); !e.empty()) {
        out["error"] = e;
        std::cout << out.dump(2) << std::endl;
        return 1;
      }
      address = server.address();
      pid = server.pid();
      out["server"] = {
          {"external", false},
          {"command", server.command()},
          {"workers", o.workers > 0 ? json(o.workers) : json("default (one per core)")}};
    } else {
      out["server"] = {{"external", true}, {"address", o.server}};
    }
    if (!WaitServing(address, std::chrono::seconds(30))) {
      out["error"] = "the server never reported SERVING at " + address + ": " + server.Log();
      std::cout << out.dump(2) << std::endl;
      return 1;
    }
  }
  if (HasPhase(o, "memory")) {
    if (pid > 0) {
      Progress("memory: " + std::to_string(o.memory_streams) + " idle streams");
      out["memory"] = RunMemory(o, address, pid, audio);
    } else {
      out["memory"] = {{"skipped", "needs a server started by the driver (/proc/<pid>)"}};
    }
  }
  if (HasPhase(o, "realtime")) {
    Progress("realtime: " + std::to_string(o.streams) + " streams x " + std::to_string(o.seconds) +
             " s");
    RunResult r = RunRealtime(o, address, pid, o.streams, o.seconds, audio);
    out["realtime"] = r.report;
    out["realtime"]["passed_budget"] = r.passed;
    if (!r.passed) out["realtime"]["limited_by"] = r.limited_by;
  }
  if (HasPhase(o, "unary")) {
    Progress("unary: " + std::to_string(o.unary_calls) + " calls");
    out["unary"] = RunUnary(o, address, pid, unary_audio);
  }
  server.Stop();
  if (HasPhase(o, "ramp")) out["streams_per_core"] = RunRamp(o, audio);
  out["loadavg_at_end"] = LoadAverage();
  out["total_wall_seconds"] = Round(Seconds(Clock::now() - start), 1);
  std::cout << out.dump(2) << std::endl;
  return 0;
}

}  // namespace
}  // namespace auris::bench

int main(int argc, char** argv) { return auris::bench::Main(argc, argv); }
