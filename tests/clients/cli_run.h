// Runs the built `auris` client with arguments and captures its exit code and output
// (stdout and stderr together). Header-only; for the CLI end-to-end tests.
#ifndef AURIS_TESTS_CLIENTS_CLI_RUN_H_
#define AURIS_TESTS_CLIENTS_CLI_RUN_H_

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace auris::testing {

struct CliRun {
  int exit_code = -1;  // -1 when the client could not be started or did not exit normally
  std::string out;
};

// `args` are appended to the client's path as a shell command line.
inline CliRun RunCli(const std::string& args) {
  const std::string command = std::string(AURIS_BINARY_DIR) + "/clients/auris " + args + " 2>&1";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_CLIENTS_CLI_RUN_H_
