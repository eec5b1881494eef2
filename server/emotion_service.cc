#include "server/emotion_service.h"

#include <vector>

#include "server/emotion_options.h"
#include "server/no_model_reactor.h"
#include "server/service_common.h"
#include "server/streaming_emotion_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoEmotionModel() { return NoModelLoaded(models::kTaskEmotion); }

absl::Status AnalyzeWhole(grpc::CallbackServerContext* context, const ServerState& state,
                          const v1::AnalyzeEmotionRequest& request,
                          v1::AnalyzeEmotionResponse* response, double* audio_seconds) {
  if (!state.registry().HasTask(models::kTaskEmotion)) return NoEmotionModel();
  if (absl::Status s = RequireConfig(request.has_config()); !s.ok()) return s;
  absl::StatusOr<EmotionOptions> options =
      ResolveEmotionOptions(request.config(), state.registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      DecodeUnaryAudio(request.audio_content(), options->input, state.config(), "AnalyzeEmotion",
                       "StreamingAnalyzeEmotion", audio_seconds);
  if (!audio.ok()) return audio.status();
  absl::StatusOr<std::unique_ptr<models::EmotionStream>> stream =
      options->pipeline->CreateStream(audio->sample_rate_hz, options->frame_period_ms);
  if (!stream.ok()) return stream.status();
  std::vector<models::EmotionFrame> frames;
  if (absl::Status s =
          AcceptWholeAudio(context, audio->samples, audio->sample_rate_hz, **stream, &frames);
      !s.ok()) {
    return s;
  }
  for (const models::EmotionFrame& frame : frames) ToProto(frame, response->add_frames());
  ToProto((*stream)->Summary(), response->mutable_summary());
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* EmotionService::AnalyzeEmotion(grpc::CallbackServerContext* context,
                                                         const v1::AnalyzeEmotionRequest* request,
                                                         v1::AnalyzeEmotionResponse* response) {
  ServerState* state = state_;
  return RunUnary(context, state_, "AnalyzeEmotion", [=](double* audio_seconds) {
    return AnalyzeWhole(context, *state, *request, response, audio_seconds);
  });
}

grpc::ServerBidiReactor<v1::StreamingAnalyzeEmotionRequest, v1::StreamingAnalyzeEmotionResponse>*
EmotionService::StreamingAnalyzeEmotion(grpc::CallbackServerContext* context) {
  if (!state_->registry().HasTask(models::kTaskEmotion)) {
    return new NoModelReactor<v1::StreamingAnalyzeEmotionRequest,
                              v1::StreamingAnalyzeEmotionResponse>(
        context, state_, "StreamingAnalyzeEmotion", NoEmotionModel());
  }
  return new StreamingEmotionReactor(context, state_);
}

}  // namespace auris::server
