// The steps every unary audio RPC (Denoise, AnalyzeEmotion, Recognize) shares: the config
// check, decoding with the max_unary_audio_seconds limit, and feeding the whole audio to a
// model stream in one-second blocks. Pure functions over their arguments; thread-safe.
#ifndef AURIS_SERVER_SERVICE_COMMON_H_
#define AURIS_SERVER_SERVICE_COMMON_H_

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <span>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_format.h"
#include "server/server_config.h"

namespace auris::server {

// INVALID_ARGUMENT "config is required: ..." when the request has no config.
absl::Status RequireConfig(bool has_config);

// FAILED_PRECONDITION "no <task> model is loaded".
absl::Status NoModelLoaded(absl::string_view task);

// Decodes a unary request's audio and sets `audio_seconds` (even when too long). OUT_OF_RANGE
// past config.max_unary_audio_seconds, naming `method` and its `streaming_method`.
absl::StatusOr<dsp::DecodedAudio> DecodeUnaryAudio(
    const std::string& bytes, const dsp::AudioFormat& format, const ServerConfig& config,
    absl::string_view method, absl::string_view streaming_method, double* audio_seconds);

// Accepts `samples` into `stream` one second (`rate_hz` samples) at a time, then flushes.
// CANCELLED as soon as the call is. `Stream` has Accept(span<const float>, Out*), Flush(Out*).
template <typename Stream, typename Out>
absl::Status AcceptWholeAudio(grpc::CallbackServerContext* context, std::span<const float> samples,
                              int rate_hz, Stream& stream, Out* out) {
  const size_t block = static_cast<size_t>(rate_hz);
  for (size_t pos = 0; pos < samples.size(); pos += block) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the call was cancelled (by the client or its deadline)");
    }
    if (absl::Status s =
            stream.Accept(samples.subspan(pos, std::min(block, samples.size() - pos)), out);
        !s.ok()) {
      return s;
    }
  }
  return stream.Flush(out);
}

}  // namespace auris::server

#endif  // AURIS_SERVER_SERVICE_COMMON_H_
