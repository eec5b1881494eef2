#include "server/emotion_service.h"

#include <algorithm>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dsp/audio_decoder.h"
#include "server/emotion_options.h"
#include "server/no_model_reactor.h"
#include "server/streaming_emotion_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoEmotionModel() {
  return absl::FailedPreconditionError("no emotion model is loaded");
}

absl::Status AnalyzeWhole(grpc::CallbackServerContext* context, const ServerState& state,
                          const v1::AnalyzeEmotionRequest& request,
                          v1::AnalyzeEmotionResponse* response, double* audio_seconds) {
  if (!state.registry().HasTask(models::kTaskEmotion)) return NoEmotionModel();
  if (!request.has_config()) {
    return absl::InvalidArgumentError(
        "config is required: set config.format (or leave encoding UNSPECIFIED for WAV, FLAC or "
        "OGG files)");
  }
  absl::StatusOr<EmotionOptions> options =
      ResolveEmotionOptions(request.config(), state.registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      dsp::DecodeAudio(request.audio_content(), options->input);
  if (!audio.ok()) return audio.status();
  const double seconds = static_cast<double>(audio->samples.size()) / audio->sample_rate_hz;
  *audio_seconds = seconds;
  if (seconds > state.config().max_unary_audio_seconds) {
    return absl::OutOfRangeError(
        absl::StrCat("the audio is ", seconds, " s long; AnalyzeEmotion accepts at most ",
                     state.config().max_unary_audio_seconds,
                     " s (max_unary_audio_seconds): split it or use StreamingAnalyzeEmotion"));
  }
  absl::StatusOr<std::unique_ptr<models::EmotionStream>> stream =
      options->pipeline->CreateStream(audio->sample_rate_hz, options->frame_period_ms);
  if (!stream.ok()) return stream.status();
  std::vector<models::EmotionFrame> frames;
  const std::span<const float> all(audio->samples);
  const size_t block = static_cast<size_t>(audio->sample_rate_hz);
  for (size_t pos = 0; pos < all.size(); pos += block) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the call was cancelled (by the client or its deadline)");
    }
    if (absl::Status s =
            (*stream)->Accept(all.subspan(pos, std::min(block, all.size() - pos)), &frames);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = (*stream)->Flush(&frames); !s.ok()) return s;
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
