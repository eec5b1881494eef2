// Structured logs to stderr: one JSON object (or text line) per event, with a request id.
// Thread-safe: a line is written with one call under a mutex.
#ifndef AURIS_SERVER_LOGGER_H_
#define AURIS_SERVER_LOGGER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace auris::server {

class Logger {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  static void SetJson(bool json);
  // level: "info", "warn", "error". `fields` are extra key/value pairs (request_id, ...).
  static void Log(std::string_view level, std::string_view message, const Fields& fields = {});
  static void Info(std::string_view message, const Fields& fields = {}) {
    Log("info", message, fields);
  }
  static void Warn(std::string_view message, const Fields& fields = {}) {
    Log("warn", message, fields);
  }
  static void Error(std::string_view message, const Fields& fields = {}) {
    Log("error", message, fields);
  }
};

// A new request id ("r" + 16 hex digits), unique within the process and unlikely to repeat
// across replicas.
std::string NewRequestId();

}  // namespace auris::server

#endif  // AURIS_SERVER_LOGGER_H_
