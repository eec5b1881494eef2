#include "bench/load_server.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench/load_stats.h"

namespace auris::bench {
namespace {

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

}  // namespace

std::optional<long> VmRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));  // "  1234 kB"
  }
  return std::nullopt;
}

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

nlohmann::json LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  in >> a >> b >> c;
  return nlohmann::json::array({a, b, c});
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

std::string ServerProcess::Start(const std::string& binary, const std::vector<std::string>& flags,
                                 bool pin) {
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

void ServerProcess::Stop() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (!port_file_.empty()) std::remove(port_file_.c_str());
  if (!log_file_.empty()) std::remove(log_file_.c_str());
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_file_);
  std::string log((std::istreambuf_iterator<char>(in)), {});
  return log.size() > 2000 ? log.substr(log.size() - 2000) : log;
}

}  // namespace auris::bench
