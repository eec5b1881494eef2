// stream_load_driver: load test of the real auris-server (the "classic" denoiser) over gRPC.
// Starts auris-server itself (fork/exec, like tests/server/server_process.h) unless --server
// HOST:PORT is given, and measures
//   memory:   server VmRSS with 0 vs S idle-but-configured streams (each sent one chunk);
//   realtime: S concurrent StreamingDenoise streams paced at real time, per-chunk latency;
//   unary:    N Denoise calls of 10 s audio from C threads, as fast as possible;
//   ramp:     streams per core: a --workers 1 server pinned to core 0, S raised until the p99
//             latency exceeds the budget or a stream falls behind real time.
// Prints one JSON object on stdout (progress goes to stderr). Never asserts times.
#include <grpcpp/grpcpp.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numbers>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auris/v1/enhancement.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

#ifndef AURIS_BINARY_DIR
#define AURIS_BINARY_DIR "build"
#endif

namespace auris::bench {
namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;
using Req = v1::StreamingDenoiseRequest;
using Resp = v1::StreamingDenoiseResponse;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Progress(const std::string& message) { std::cerr << "[load] " << message << std::endl; }

// ------------------------------------------------------------------ options

struct Options {
  std::string server;  // HOST:PORT of a running server; empty = start one
  std::string server_binary = AURIS_BINARY_DIR "/server/auris-server";
  int workers = 0;  // 0 = the server's default (one per core)
  std::vector<std::string> server_flags;
  bool pin = true;
  std::string model = "classic";
  int sample_rate = 16000;
  int chunk_ms = 100;
  int model_delay_samples = 160;
  double budget_ms = 200;
  int streams = 32;
  double seconds = 10;
  std::vector<int> ramp = {1, 8, 32, 64, 128, 256, 512, 1024};
  double ramp_seconds = 5;
  int refine_steps = 3;
  int memory_streams = 256;
  int unary_calls = 32;
  int unary_threads = 4;
  double unary_audio_seconds = 10;
  int streams_per_channel = 32;
  std::vector<std::string> phases = {"memory", "realtime", "unary", "ramp"};
  bool quick = false;
};

json OptionsJson(const Options& o) {
  return {{"server", o.server.empty() ? json(nullptr) : json(o.server)},
          {"server_binary", o.server_binary},
          {"workers", o.workers},
          {"server_flags", o.server_flags},
          {"pin", o.pin},
          {"model", o.model},
          {"sample_rate", o.sample_rate},
          {"chunk_ms", o.chunk_ms},
          {"model_delay_samples", o.model_delay_samples},
          {"budget_ms", o.budget_ms},
          {"streams", o.streams},
          {"seconds", o.seconds},
          {"ramp", o.ramp},
          {"ramp_seconds", o.ramp_seconds},
          {"refine_steps", o.refine_steps},
          {"memory_streams", o.memory_streams},
          {"unary_calls", o.unary_calls},
          {"unary_threads", o.unary_threads},
          {"unary_audio_seconds", o.unary_audio_seconds},
          {"streams_per_channel", o.streams_per_channel},
          {"phases", o.phases},
          {"quick", o.quick}};
}

bool HasPhase(const Options& o, const std::string& phase) {
  return std::find(o.phases.begin(), o.phases.end(), phase) != o.phases.end();
}

// ------------------------------------------------------------------ statistics

// Nearest-rank percentile of an ascending-sorted vector; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
  return sorted[index];
}

double Round(double v, int digits = 3) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

json Summary(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  return {{"n", values.size()},
          {"mean", Round(values.empty() ? 0.0 : sum / static_cast<double>(values.size()))},
          {"p50", Round(Percentile(values, 50))},
          {"p90", Round(Percentile(values, 90))},
          {"p99", Round(Percentile(values, 99))},
          {"max", Round(values.empty() ? 0.0 : values.back())}};
}

// ------------------------------------------------------------------ /proc

std::optional<long> VmRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));  // "  1234 kB"
  }
  return std::nullopt;
}

// utime + stime of a process in seconds; -1 when unknown (no pid, no /proc).
double CpuSeconds(pid_t pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The 1-, 5- and 15-minute load averages: how busy the (shared) machine was.
json LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  in >> a >> b >> c;
  return json::array({a, b, c});
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "";
}

std::string FindInPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// Moves every thread of this process off core 0 (where the pinned server runs).
std::string MoveClientOffCore0() {
  const long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 2) return "not moved (1 core)";
  cpu_set_t set;
  CPU_ZERO(&set);
  for (long c = 1; c < n; ++c) CPU_SET(static_cast<int>(c), &set);
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
    sched_setaffinity(tid, sizeof(set), &set);
  }
  return n == 2 ? "core 1" : "cores 1-" + std::to_string(n - 1);
}

// ------------------------------------------------------------------ the server process

class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Stop(); }

  // Starts `binary` with `flags` plus --listen 127.0.0.1:0 --port_file; under `taskset -c 0`
  // when `pin` and taskset exists. Waits until it reports SERVING. Returns "" or an error.
  std::string Start(const std::string& binary, const std::vector<std::string>& flags, bool pin) {
    static int counter = 0;
    const std::string stem =
        "/tmp/auris_load_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    port_file_ = stem + ".port";
    log_file_ = stem + ".log";
    std::remove(port_file_.c_str());
    std::vector<std::string> args;
    const std::string taskset = pin ? FindInPath("taskset") : "";
    if (!taskset.empty()) args = {taskset, "-c", "0"};
    pinned_ = !taskset.empty();
    args.insert(args.end(), {binary, "--listen", "127.0.0.1:0", "--port_file", port_file_});
    args.insert(args.end(), flags.begin(), flags.end());
    for (const std::string& a : args) command_ += (command_.empty() ? "" : " ") + a;
    pid_ = fork();
    if (pid_ < 0) return "fork failed";
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the driver
      FILE* log = std::fopen(log_file_.c_str(), "w");
      if (log) dup2(fileno(log), 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto give_up = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < give_up) {
      std::ifstream in(port_file_);
      if (in >> port_ && port_ > 0) break;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "the server exited during start-up: " + Log();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (port_ <= 0) return "the server wrote no port within 60 s: " + Log();
    address_ = "127.0.0.1:" + std::to_string(port_);
    return "";
  }

  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    if (!port_file_.empty()) std::remove(port_file_.c_str());
    if (!log_file_.empty()) std::remove(log_file_.c_str());
  }

  pid_t pid() const { return pid_; }
  bool pinned() const { return pinned_; }
  const std::string& address() const { return address_; }
  const std::string& command() const { return command_; }
  std::string Log() const {
    std::ifstream in(log_file_);
    std::string log((std::istreambuf_iterator<char>(in)), {});
    return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool pinned_ = false;
  std::string port_file_, log_file_, address_, command_;
};

// ------------------------------------------------------------------ gRPC helpers

// Each channel gets distinct arguments and a local subchannel pool: its own TCP connection,
// as separate clients would have.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& address, int id) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("auris.load_driver_channel", id);
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

bool WaitServing(const std::string& address, std::chrono::seconds limit) {
  auto stub = grpc::health::v1::Health::NewStub(MakeChannel(address, -1));
  const auto give_up = Clock::now() + limit;
  while (Clock::now() < give_up) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("auris.v1.Enhancement");
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    if (stub->Check(&context, request, &response).ok() &&
        response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

v1::DenoiseConfig Linear16Config(const Options& o) {
  v1::DenoiseConfig config;
  config.mutable_format()->set_encoding(v1::LINEAR16);
  config.mutable_format()->set_sample_rate_hertz(o.sample_rate);
  config.set_model(o.model);
  return config;
}

// ------------------------------------------------------------------ audio

// Speech-like audio: voiced syllables (harmonics of a gliding 90..230 Hz pitch shaped by
// vowel formants, Hann envelopes), short gaps and longer pauses, plus white and low-passed
// ("rumble") noise at about 5 dB SNR. LINEAR16 bytes.
std::string SpeechLikeLinear16(int rate, double seconds, uint32_t seed) {
  static constexpr double kVowels[][3] = {
      {730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}, {570, 840, 2410}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const size_t n = static_cast<size_t>(seconds * rate);
  std::vector<double> speech(n, 0.0);
  size_t pos = static_cast<size_t>(uniform(rng) * 0.2 * rate);
  const double base_f0 = 90 + 140 * uniform(rng);
  double phase = 0;
  while (pos < n) {
    const size_t length = static_cast<size_t>((0.12 + 0.18 * uniform(rng)) * rate);
    const double* formants = kVowels[rng() % 5];
    const double f0_start = base_f0 * (0.85 + 0.3 * uniform(rng));
    const double f0_end = base_f0 * (0.85 + 0.3 * uniform(rng));
    const double mean_f0 = 0.5 * (f0_start + f0_end);
    const int harmonics = std::max(1, static_cast<int>(3800.0 / mean_f0));
    std::vector<double> weights(harmonics);
    for (int h = 0; h < harmonics; ++h) {
      const double f = (h + 1) * mean_f0;
      double w = 0.05;
      for (int k = 0; k < 3; ++k) w += std::exp(-std::pow((f - formants[k]) / 120.0, 2)) / (k + 1);
      weights[h] = w / std::sqrt(h + 1.0);
    }
    for (size_t i = 0; i < length && pos + i < n; ++i) {
      const double progress = static_cast<double>(i) / static_cast<double>(length);
      const double f0 = f0_start + (f0_end - f0_start) * progress;
      phase += 2 * std::numbers::pi * f0 / rate;
      const double envelope = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * progress);
      double v = 0;
      for (int h = 0; h < harmonics; ++h) v += weights[h] * std::sin((h + 1) * phase);
      speech[pos + i] = envelope * v;
    }
    pos += length + static_cast<size_t>((uniform(rng) < 0.15 ? 0.3 + 0.3 * uniform(rng)
                                                             : 0.03 + 0.12 * uniform(rng)) *
                                        rate);
  }
  double peak = 1e-9, power = 0;
  for (double v : speech) peak = std::max(peak, std::abs(v));
  for (double& v : speech) {
    v *= 0.3 / peak;
    power += v * v;
  }
  const double speech_rms = std::sqrt(power / std::max<size_t>(n, 1));
  const double noise_rms = speech_rms / std::pow(10.0, 5.0 / 20.0);
  std::normal_distribution<double> white(0.0, 1.0);
  double rumble = 0;
  std::string bytes(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    rumble = 0.98 * rumble + 0.2 * white(rng);
    const double x = speech[i] + noise_rms * (0.8 * white(rng) + 0.6 * rumble);
    const auto s = static_cast<int16_t>(std::lround(std::clamp(x, -1.0, 32767.0 / 32768) * 32768));
    bytes[2 * i] = static_cast<char>(s & 0xff);
    bytes[2 * i + 1] = static_cast<char>((s >> 8) & 0xff);
  }
  return bytes;
}

// ------------------------------------------------------------------ one streaming client

// A StreamingDenoise call driven by the pacing thread: SendChunk queues a chunk (one write in
// flight at a time), responses are matched to chunks as they arrive.
class StreamClient final : public grpc::ClientBidiReactor<Req, Resp> {
 public:
  struct Chunk {
    int64_t end_sample;
    Clock::time_point sent;
    Clock::time_point answered;
    bool is_answered = false;
  };

  StreamClient(int rate, int delay_samples, size_t max_chunks)
      : rate_(rate), delay_(delay_samples) {
    chunks_.reserve(max_chunks);
  }

  void Start(v1::Enhancement::Stub* stub, const v1::DenoiseConfig& config) {
    stub->async()->StreamingDenoise(&context_, this);
    AddHold();  // released by Finish(): writes start from outside the reactions
    Req first;
    *first.mutable_config() = config;
    Enqueue(std::move(first), false);
    StartRead(&response_);
    StartCall();
  }

  // Queues one chunk of LINEAR16 audio ending at input sample `end_sample`.
  void SendChunk(std::string_view pcm, int64_t end_sample) {
    Req request;
    request.set_audio_content(std::string(pcm));
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (write_failed_) return;
      const auto now = Clock::now();
      chunks_.push_back({end_sample, now, {}, false});
      MatchLocked(now);  // only when the chunk is shorter than the model delay
    }
    Enqueue(std::move(request), false);
  }

  // Half-closes after the queued chunks; call exactly once.
  void Finish() {
    Enqueue(Req(), true);
    RemoveHold();
  }

  void Cancel() { context_.TryCancel(); }

  bool WaitResponses(int count, Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return responses_ >= count || done_; }) &&
           responses_ >= count;
  }
  bool WaitDone(Clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return done_; });
  }

  // Valid after WaitDone.
  const std::vector<Chunk>& chunks() const { return chunks_; }
  const grpc::Status& status() const { return status_; }

  void OnWriteDone(bool ok) override { WriteDone(ok); }
  void OnWritesDoneDone(bool ok) override { WriteDone(ok); }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    const auto now = Clock::now();
    const int64_t offset =
        response_.offset().seconds() * rate_ +
        std::llround(static_cast<double>(response_.offset().nanos()) * rate_ / 1e9);
    const int64_t end = offset + static_cast<int64_t>(response_.audio_content().size() / 2);
    {
      std::lock_guard<std::mutex> lock(mu_);
      covered_ = std::max(covered_, end);
      ++responses_;
      MatchLocked(now);
    }
    cv_.notify_all();
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      status_ = status;
      done_ = true;
    }
    cv_.notify_all();
  }

 private:
  struct Pending {
    Req request;
    bool writes_done;
  };

  // A chunk is answered by the first response whose audio reaches its end minus the delay.
  void MatchLocked(Clock::time_point now) {
    while (next_answer_ < chunks_.size() && covered_ >= chunks_[next_answer_].end_sample - delay_) {
      chunks_[next_answer_].answered = now;
      chunks_[next_answer_].is_answered = true;
      ++next_answer_;
    }
  }

  void Enqueue(Req request, bool writes_done) {
    std::unique_lock<std::mutex> lock(mu_);
    if (write_failed_) return;
    queue_.push_back({std::move(request), writes_done});
    StartFront(lock);
  }

  // Starts the front write unless one is in flight; releases the lock first (the reaction
  // may run inline). deque::push_back keeps the front element's address.
  void StartFront(std::unique_lock<std::mutex>& lock) {
    if (write_in_flight_ || queue_.empty()) return;
    write_in_flight_ = true;
    Pending* front = &queue_.front();
    lock.unlock();
    if (front->writes_done) {
      StartWritesDone();
    } else {
      StartWrite(&front->request);
    }
  }

  void WriteDone(bool ok) {
    std::unique_lock<std::mutex> lock(mu_);
    queue_.pop_front();
    write_in_flight_ = false;
    if (!ok) {
      write_failed_ = true;
      queue_.clear();
      return;
    }
    StartFront(lock);
  }

  const int rate_;
  const int64_t delay_;
  grpc::ClientContext context_;
  Resp response_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool write_in_flight_ = false;
  bool write_failed_ = false;
  std::vector<Chunk> chunks_;
  size_t next_answer_ = 0;
  int64_t covered_ = 0;
  int responses_ = 0;
  bool done_ = false;
  grpc::Status status_;
};

// A set of StreamClients spread over channels (streams_per_channel each).
class StreamSet {
 public:
  StreamSet(const Options& o, const std::string& address, int streams, size_t max_chunks) {
    const int per_channel = std::max(1, o.streams_per_channel);
    for (int i = 0; i < streams; ++i) {
      if (i % per_channel == 0) {
        stubs_.push_back(v1::Enhancement::NewStub(MakeChannel(address, i / per_channel)));
      }
      clients_.push_back(
          std::make_unique<StreamClient>(o.sample_rate, o.model_delay_samples, max_chunks));
    }
    const v1::DenoiseConfig config = Linear16Config(o);
    for (int i = 0; i < streams; ++i) clients_[i]->Start(stubs_[i / per_channel].get(), config);
  }

  // Half-closes every stream and waits for all to end (cancelling stragglers at `deadline`).
  void FinishAndWait(Clock::time_point deadline, bool already_finished = false) {
    if (!already_finished) {
      for (auto& c : clients_) c->Finish();
    }
    for (auto& c : clients_) {
      if (!c->WaitDone(deadline)) {
        c->Cancel();
        c->WaitDone(Clock::time_point::max());
      }
    }
  }

  std::vector<std::unique_ptr<StreamClient>>& clients() { return clients_; }
  int channels() const { return static_cast<int>(stubs_.size()); }

 private:
  std::vector<std::unique_ptr<v1::Enhancement::Stub>> stubs_;
  std::vector<std::unique_ptr<StreamClient>> clients_;
};

// ------------------------------------------------------------------ real-time streaming run

struct RunResult {
  json report;
  bool passed = false;
  std::string limited_by;
};

// S streams, each sending chunk_ms chunks at real time for `seconds`; stream i starts i/S of a
// chunk period after stream 0 so the load is spread evenly, as independent clients would.
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

// ------------------------------------------------------------------ memory per stream

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

// ------------------------------------------------------------------ unary throughput

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

// ------------------------------------------------------------------ streams per core

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

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

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
