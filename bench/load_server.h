// Starts and stops the auris-server process under test (optionally pinned to core 0) and reads
// its memory and CPU use, and the machine's, from /proc.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace auris::bench {

// VmRSS of a process in KiB; nullopt when /proc/<pid>/status cannot be read.
std::optional<long> VmRssKib(pid_t pid);

// utime + stime of a process in seconds; -1 when unknown (no pid, no /proc).
double CpuSeconds(pid_t pid);

// The 1-, 5- and 15-minute load averages: how busy the (shared) machine was.
nlohmann::json LoadAverage();

// The first "model name" of /proc/cpuinfo; "" when unknown.
std::string CpuModel();

// Moves every thread of this process off core 0 (where the pinned server runs); returns the
// cores it now runs on, for the report.
std::string MoveClientOffCore0();

// One auris-server child process; killed (SIGKILL) by Stop(), the destructor, or the driver's
// death. Not thread-safe.
class ServerProcess {
 public:
  ServerProcess() = default;
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess() { Stop(); }

  // Starts `binary` with `flags` plus --listen 127.0.0.1:0 --port_file; under `taskset -c 0`
  // when `pin` and taskset exists. Waits until it writes its port. Returns "" or an error.
  std::string Start(const std::string& binary, const std::vector<std::string>& flags, bool pin);

  void Stop();

  pid_t pid() const { return pid_; }
  bool pinned() const { return pinned_; }
  const std::string& address() const { return address_; }
  const std::string& command() const { return command_; }
  // The last 2000 characters of the server's stderr.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  bool pinned_ = false;
  std::string port_file_, log_file_, address_, command_;
};

}  // namespace auris::bench
