#include "server/request_id.h"

#include "absl/strings/ascii.h"
#include "server/logger.h"

namespace auris::server {

std::string RequestIdOf(const grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  const auto it = metadata.find("x-request-id");
  if (it != metadata.end()) {
    const std::string id(it->second.data(), it->second.size());
    bool usable = !id.empty() && id.size() <= 64;
    for (const char c : id) usable = usable && absl::ascii_isgraph(static_cast<unsigned char>(c));
    if (usable) return id;
  }
  return NewRequestId();
}

std::string StatusCodeName(const absl::Status& status) {
  std::string name = absl::StatusCodeToString(status.code());
  for (char& c : name) c = c == ' ' ? '_' : absl::ascii_toupper(static_cast<unsigned char>(c));
  return name;
}

}  // namespace auris::server
