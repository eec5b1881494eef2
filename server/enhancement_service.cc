#include "server/enhancement_service.h"

#include <vector>

#include "dsp/audio_encoder.h"
#include "server/audio_format_convert.h"
#include "server/denoise_options.h"
#include "server/service_common.h"
#include "server/streaming_denoise_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status DenoiseWhole(grpc::CallbackServerContext* context, const ServerState& state,
                          const v1::DenoiseRequest& request, v1::DenoiseResponse* response,
                          double* audio_seconds) {
  if (absl::Status s = RequireConfig(request.has_config()); !s.ok()) return s;
  absl::StatusOr<DenoiseOptions> options =
      ResolveDenoiseOptions(request.config(), state.registry(), /*streaming=*/false);
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      DecodeUnaryAudio(request.audio_content(), options->input, state.config(), "Denoise",
                       "StreamingDenoise", audio_seconds);
  if (!audio.ok()) return audio.status();
  dsp::AudioFormat out = options->output;
  if (out.encoding == dsp::Encoding::kUnspecified) out.encoding = audio->encoding;
  if (out.sample_rate_hz == 0) out.sample_rate_hz = audio->sample_rate_hz;
  out.channel_count = 1;
  absl::StatusOr<std::unique_ptr<models::DenoiseStream>> stream =
      options->pipeline->CreateStream(audio->sample_rate_hz, out.sample_rate_hz);
  if (!stream.ok()) return stream.status();
  std::vector<float> enhanced;
  enhanced.reserve(static_cast<size_t>(*audio_seconds * out.sample_rate_hz) + 1024);
  if (absl::Status s =
          AcceptWholeAudio(context, audio->samples, audio->sample_rate_hz, **stream, &enhanced);
      !s.ok()) {
    return s;
  }
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
