#include "server/speech_service.h"

#include <vector>

#include "models/asr/asr_stream.h"
#include "server/no_model_reactor.h"
#include "server/proto_time.h"
#include "server/service_common.h"
#include "server/speech_options.h"
#include "server/speech_streaming_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoAsrModel() { return NoModelLoaded(models::kTaskAsr); }

absl::Status RecognizeWhole(grpc::CallbackServerContext* context, const ServerState& state,
                            const v1::RecognizeRequest& request, v1::RecognizeResponse* response,
                            double* audio_seconds) {
  if (!state.registry().HasTask(models::kTaskAsr)) return NoAsrModel();
  if (absl::Status s = RequireConfig(request.has_config()); !s.ok()) return s;
  absl::StatusOr<SpeechOptions> options =
      ResolveSpeechOptions(request.config(), nullptr, state.registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      DecodeUnaryAudio(request.audio_content(), options->input, state.config(), "Recognize",
                       "StreamingRecognize", audio_seconds);
  if (!audio.ok()) return audio.status();
  options->stream.input_rate_hz = audio->sample_rate_hz;
  absl::StatusOr<std::unique_ptr<models::AsrStream>> stream =
      options->pipeline->CreateStream(options->stream);
  if (!stream.ok()) return stream.status();
  std::vector<models::AsrEvent> events;
  if (absl::Status s =
          AcceptWholeAudio(context, audio->samples, audio->sample_rate_hz, **stream, &events);
      !s.ok()) {
    return s;
  }
  for (const models::AsrEvent& e : events) {
    if (e.type == models::AsrEvent::Type::kFinal) {
      *response->add_results() = ToProto(e.result, *options);
    }
  }
  SetSampleDuration(static_cast<int64_t>(audio->samples.size()), audio->sample_rate_hz,
                    response->mutable_audio_duration());
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* SpeechService::Recognize(grpc::CallbackServerContext* context,
                                                   const v1::RecognizeRequest* request,
                                                   v1::RecognizeResponse* response) {
  ServerState* state = state_;
  return RunUnary(context, state_, "Recognize", [=](double* audio_seconds) {
    return RecognizeWhole(context, *state, *request, response, audio_seconds);
  });
}

grpc::ServerBidiReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse>*
SpeechService::StreamingRecognize(grpc::CallbackServerContext* context) {
  if (!state_->registry().HasTask(models::kTaskAsr)) {
    return new NoModelReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse>(
        context, state_, "StreamingRecognize", NoAsrModel());
  }
  return new SpeechStreamingReactor(context, state_);
}

}  // namespace auris::server
