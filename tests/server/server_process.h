// Test helper: runs the real auris-server binary on a free loopback port and stops it.
#ifndef AURIS_TESTS_SERVER_SERVER_PROCESS_H_
#define AURIS_TESTS_SERVER_SERVER_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"

namespace auris::testing {

class ServerProcess {
 public:
  // Starts auris-server with `flags` plus --listen 127.0.0.1:0 and a port file.
  explicit ServerProcess(std::vector<std::string> flags) {
    port_file_ =
        "/tmp/auris_test_port_" + std::to_string(getpid()) + "_" + std::to_string(counter_++);
    log_file_ = port_file_ + ".log";
    std::remove(port_file_.c_str());
    std::vector<std::string> args = {AURIS_BINARY_DIR "/server/auris-server", "--listen",
                                     "127.0.0.1:0", "--port_file", port_file_};
    args.insert(args.end(), flags.begin(), flags.end());
    pid_ = fork();
    if (pid_ == 0) {
      FILE* log = std::fopen(log_file_.c_str(), "w");
      if (log) dup2(fileno(log), 2);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      std::ifstream in(port_file_);
      if (in >> port_ && port_ > 0) break;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::remove(port_file_.c_str());
    std::remove(log_file_.c_str());
  }

  bool started() const { return pid_ > 0 && port_ > 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> Channel() const {
    grpc::ChannelArguments args;
    args.SetMaxReceiveMessageSize(64 << 20);
    args.SetMaxSendMessageSize(64 << 20);
    return grpc::CreateCustomChannel(address(), grpc::InsecureChannelCredentials(), args);
  }
  std::string Log() const {
    std::ifstream in(log_file_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // Sends SIGTERM and waits up to `limit` for the exit; returns the exit code or -1.
  int Terminate(std::chrono::seconds limit) {
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  // Polls the overall health every 50 ms until SERVING; false after `limit`.
  bool WaitServing(std::chrono::seconds limit = std::chrono::seconds(30)) const {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < give_up) {
      if (Health("") == grpc::health::v1::HealthCheckResponse::SERVING) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health(const std::string& service) const {
    auto stub = grpc::health::v1::Health::NewStub(Channel());
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    if (!stub->Check(&context, request, &response).ok()) {
      return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    }
    return response.status();
  }

 private:
  static inline int counter_ = 0;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string port_file_;
  std::string log_file_;
};

}  // namespace auris::testing

#endif  // AURIS_TESTS_SERVER_SERVER_PROCESS_H_
