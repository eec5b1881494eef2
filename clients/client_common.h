// Shared pieces of the `auris` command-line client: channel, files, status printing.
#ifndef AURIS_CLIENTS_CLIENT_COMMON_H_
#define AURIS_CLIENTS_CLIENT_COMMON_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "auris/v1/audio.pb.h"

namespace auris::client {

struct GlobalOptions {
  std::string server = "127.0.0.1:50051";
  bool json = false;
  double timeout_seconds = 300;  // per call
};

std::shared_ptr<grpc::Channel> MakeChannel(const GlobalOptions& options);
void SetDeadline(const GlobalOptions& options, grpc::ClientContext* context);

absl::StatusOr<std::string> ReadFileBytes(const std::string& path);
// Reads each of `paths` in order and calls `handle(path, bytes)`, which returns its failures
// for that file (0 or 1); a file that cannot be read is reported on stderr and counts as one.
// Returns the total.
int ForEachFile(
    const std::vector<std::string>& paths,
    const std::function<int(const std::string& path, const std::string& bytes)>& handle);
absl::Status WriteFileBytes(const std::string& path, const std::string& bytes);
// IN may be a file or a folder (its audio files, sorted, not recursive).
absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs);
// The container for a file name: .wav WAV, .flac FLAC, .ogg OGG_VORBIS, .opus OGG_OPUS;
// anything else UNSPECIFIED.
v1::AudioEncoding EncodingForPath(const std::string& path);

// Prints "error: CODE: message" (or a JSON object with --json) to stderr; returns 1.
int ReportRpcError(const GlobalOptions& options, const std::string& what,
                   const grpc::Status& status);
std::string StatusCodeName(grpc::StatusCode code);

}  // namespace auris::client

#endif  // AURIS_CLIENTS_CLIENT_COMMON_H_
