#include "server/enhancement_service.h"

#include <algorithm>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "server/audio_format_convert.h"
#include "server/denoise_options.h"
#include "server/streaming_denoise_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status DenoiseWhole(grpc::CallbackServerContext* context, const ServerState& state,
                          const v1::DenoiseRequest& request, v1::DenoiseResponse* response,
                          double* audio_seconds) {
  if (!request.has_config()) {
    return absl::InvalidArgumentError(
        "config is required: set config.format (or leave encoding UNSPECIFIED for WAV, FLAC or "
        "OGG files)");
  }
  absl::StatusOr<DenoiseOptions> options =
      ResolveDenoiseOptions(request.config(), state.registry(), /*streaming=*/false);
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      dsp::DecodeAudio(request.audio_content(), options->input);
  if (!audio.ok()) return audio.status();
  const double seconds = static_cast<double>(audio->samples.size()) / audio->sample_rate_hz;
  *audio_seconds = seconds;
  if (seconds > state.config().max_unary_audio_seconds) {
    return absl::OutOfRangeError(
        absl::StrCat("the audio is ", seconds, " s long; Denoise accepts at most ",
                     state.config().max_unary_audio_seconds,
                     " s (max_unary_audio_seconds): split it or use StreamingDenoise"));
  }
  dsp::AudioFormat out = options->output;
  if (out.encoding == dsp::Encoding::kUnspecified) out.encoding = audio->encoding;
  if (out.sample_rate_hz == 0) out.sample_rate_hz = audio->sample_rate_hz;
  out.channel_count = 1;
  absl::StatusOr<std::unique_ptr<models::DenoiseStream>> stream =
      options->pipeline->CreateStream(audio->sample_rate_hz, out.sample_rate_hz);
  if (!stream.ok()) return stream.status();
  std::vector<float> enhanced;
  enhanced.reserve(static_cast<size_t>(seconds * out.sample_rate_hz) + 1024);
  const std::span<const float> all(audio->samples);
  const size_t block = static_cast<size_t>(audio->sample_rate_hz);
  for (size_t pos = 0; pos < all.size(); pos += block) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the call was cancelled (by the client or its deadline)");
    }
    if (absl::Status s =
            (*stream)->Accept(all.subspan(pos, std::min(block, all.size() - pos)), &enhanced);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = (*stream)->Flush(&enhanced); !s.ok()) return s;
  absl::StatusOr<std::string> bytes = dsp::EncodeAudio(enhanced, out.sample_rate_hz, out.encoding);
  if (!bytes.ok()) return bytes.status();
  response->set_audio_content(*std::move(bytes));
  *response->mutable_format() = ToProto(out);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* EnhancementService::Denoise(grpc::CallbackServerContext* context,
                                                      const v1::DenoiseRequest* request,
                                                      v1::DenoiseResponse* response) {
  ServerState* state = state_;
  return RunUnary(context, state_, "Denoise", [=](double* audio_seconds) {
    return DenoiseWhole(context, *state, *request, response, audio_seconds);
  });
}

grpc::ServerBidiReactor<v1::StreamingDenoiseRequest, v1::StreamingDenoiseResponse>*
EnhancementService::StreamingDenoise(grpc::CallbackServerContext* context) {
  return new StreamingDenoiseReactor(context, state_);
}

}  // namespace auris::server
