#include "server/speech_service.h"

#include <algorithm>
#include <span>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dsp/audio_decoder.h"
#include "models/asr/asr_stream.h"
#include "server/no_model_reactor.h"
#include "server/speech_options.h"
#include "server/speech_streaming_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoAsrModel() { return absl::FailedPreconditionError("no asr model is loaded"); }

absl::Status RecognizeWhole(grpc::CallbackServerContext* context, const ServerState& state,
                            const v1::RecognizeRequest& request, v1::RecognizeResponse* response,
                            double* audio_seconds) {
  if (!state.registry().HasTask(models::kTaskAsr)) return NoAsrModel();
  if (!request.has_config()) {
    return absl::InvalidArgumentError(
        "config is required: set config.format (or leave encoding UNSPECIFIED for WAV, FLAC or "
        "OGG files)");
  }
  absl::StatusOr<SpeechOptions> options =
      ResolveSpeechOptions(request.config(), nullptr, state.registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<dsp::DecodedAudio> audio =
      dsp::DecodeAudio(request.audio_content(), options->input);
  if (!audio.ok()) return audio.status();
  const double seconds = static_cast<double>(audio->samples.size()) / audio->sample_rate_hz;
  *audio_seconds = seconds;
  if (seconds > state.config().max_unary_audio_seconds) {
    return absl::OutOfRangeError(
        absl::StrCat("the audio is ", seconds, " s long; Recognize accepts at most ",
                     state.config().max_unary_audio_seconds,
                     " s (max_unary_audio_seconds): split it or use StreamingRecognize"));
  }
  options->stream.input_rate_hz = audio->sample_rate_hz;
  absl::StatusOr<std::unique_ptr<models::AsrStream>> stream =
      options->pipeline->CreateStream(options->stream);
  if (!stream.ok()) return stream.status();
  std::vector<models::AsrEvent> events;
  const std::span<const float> all(audio->samples);
  const size_t block = static_cast<size_t>(audio->sample_rate_hz);
  for (size_t pos = 0; pos < all.size(); pos += block) {
    if (context->IsCancelled()) {
      return absl::CancelledError("the call was cancelled (by the client or its deadline)");
    }
    if (absl::Status s =
            (*stream)->Accept(all.subspan(pos, std::min(block, all.size() - pos)), &events);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = (*stream)->Flush(&events); !s.ok()) return s;
  for (const models::AsrEvent& e : events) {
    if (e.type == models::AsrEvent::Type::kFinal) {
      *response->add_results() = ToProto(e.result, *options);
    }
  }
  const long long samples = static_cast<long long>(audio->samples.size());
  const long long rate = audio->sample_rate_hz;
  SetDuration(samples / rate * 1000000000LL + samples % rate * 1000000000LL / rate,
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
