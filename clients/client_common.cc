#include "clients/client_common.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace auris::client {

namespace fs = std::filesystem;

std::shared_ptr<grpc::Channel> MakeChannel(const GlobalOptions& options) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  args.SetMaxSendMessageSize(256 << 20);
  // Spread calls over every address a name resolves to (e.g. a headless Kubernetes Service).
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(options.server, grpc::InsecureChannelCredentials(), args);
}

void SetDeadline(const GlobalOptions& options, grpc::ClientContext* context) {
  context->set_deadline(
      std::chrono::system_clock::now() +
      std::chrono::milliseconds(static_cast<long long>(options.timeout_seconds * 1000)));
}

absl::StatusOr<std::string> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

int ForEachFile(
    const std::vector<std::string>& paths,
    const std::function<int(const std::string& path, const std::string& bytes)>& handle) {
  int failures = 0;
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> bytes = ReadFileBytes(path);
    if (!bytes.ok()) {
      std::cerr << "error: " << bytes.status().message() << "\n";
      ++failures;
      continue;
    }
    failures += handle(path, *bytes);
  }
  return failures;
}

absl::Status WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) return absl::DataLossError(absl::StrCat("short write to ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(in, ec)) {
        const std::string ext = absl::AsciiStrToLower(entry.path().extension().string());
        if (entry.is_regular_file() &&
            (ext == ".wav" || ext == ".flac" || ext == ".ogg" || ext == ".opus")) {
          found.push_back(entry.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      files.push_back(in);
    } else {
      return absl::NotFoundError(absl::StrCat(in, " does not exist"));
    }
  }
  return files;
}

v1::AudioEncoding EncodingForPath(const std::string& path) {
  const std::string ext = absl::AsciiStrToLower(fs::path(path).extension().string());
  if (ext == ".wav") return v1::WAV;
  if (ext == ".flac") return v1::FLAC;
  if (ext == ".ogg") return v1::OGG_VORBIS;
  if (ext == ".opus") return v1::OGG_OPUS;
  return v1::AUDIO_ENCODING_UNSPECIFIED;
}

std::string StatusCodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  return i >= 0 && i <= 16 ? kNames[i] : absl::StrCat("CODE_", i);
}

int ReportRpcError(const GlobalOptions& options, const std::string& what,
                   const grpc::Status& status) {
  if (options.json) {
    nlohmann::json j = {{"error", StatusCodeName(status.error_code())},
                        {"message", status.error_message()},
                        {"what", what}};
    std::cerr << j.dump() << "\n";
  } else {
    std::cerr << "error: " << what << ": " << StatusCodeName(status.error_code()) << ": "
              << status.error_message() << "\n";
  }
  return 1;
}

}  // namespace auris::client
