#include "server/speech_streaming_reactor.h"

#include "absl/strings/str_cat.h"

namespace auris::server {

SpeechStreamingReactor::SpeechStreamingReactor(grpc::CallbackServerContext* context,
                                               ServerState* state)
    : StreamReactor(context, state, "StreamingRecognize") {
  Begin();
}

absl::Status SpeechStreamingReactor::HandleMessage(const v1::StreamingRecognizeRequest& request) {
  switch (request.streaming_request_case()) {
    case v1::StreamingRecognizeRequest::kStreamingConfig:
      if (configured_) {
        return absl::FailedPreconditionError(
            "streaming_config was sent twice; send it only in the first message");
      }
      return Configure(request.streaming_config());
    case v1::StreamingRecognizeRequest::kAudioContent:
      break;
    default:
      return absl::InvalidArgumentError(
          "a StreamingRecognizeRequest must set streaming_config (first message) or "
          "audio_content");
  }
  if (!configured_) {
    return absl::FailedPreconditionError(
        "the first message must be a streaming_config (StreamingRecognitionConfig); "
        "audio_content came first");
  }
  if (done_) return absl::OkStatus();
  decoded_.clear();
  if (absl::Status s = decoder_->Accept(request.audio_content(), &decoded_); !s.ok()) return s;
  const int rate = decoder_->sample_rate_hz();
  const double seconds = rate > 0 ? static_cast<double>(decoder_->samples_out()) / rate : 0.0;
  if (seconds > state().config().max_stream_seconds) {
    return absl::OutOfRangeError(absl::StrCat("the stream carried more than ",
                                              state().config().max_stream_seconds,
                                              " s of audio (max_stream_seconds); start a new "
                                              "stream for more"));
  }
  if (!stream_) {
    waiting_.insert(waiting_.end(), decoded_.begin(), decoded_.end());
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!stream_) return absl::OkStatus();
    decoded_.swap(waiting_);
    waiting_.clear();
  }
  if (rate > 0) AddAudioSeconds(static_cast<double>(decoded_.size()) / rate);
  return Recognize(decoded_, /*flush=*/false);
}

absl::Status SpeechStreamingReactor::HandleEnd() {
  if (!configured_) {
    return absl::FailedPreconditionError(
        "the stream ended before a streaming_config was sent; the first message must be a "
        "StreamingRecognitionConfig");
  }
  if (done_) return absl::OkStatus();
  if (absl::Status s = decoder_->Finish(); !s.ok()) return s;
  if (!stream_) {
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!stream_) return absl::InvalidArgumentError("the stream carried no audio samples");
    if (absl::Status s = Recognize(waiting_, /*flush=*/false); !s.ok()) return s;
  }
  if (done_) return absl::OkStatus();
  return Recognize({}, /*flush=*/true);
}

absl::Status SpeechStreamingReactor::Configure(const v1::StreamingRecognitionConfig& config) {
  absl::StatusOr<SpeechOptions> options =
      ResolveSpeechOptions(config.config(), &config.endpointing(), state().registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::unique_ptr<dsp::StreamDecoder>> decoder =
      dsp::StreamDecoder::Create(options->input);
  if (!decoder.ok()) return decoder.status();
  decoder_ = *std::move(decoder);
  options_ = *std::move(options);
  interim_results_ = config.interim_results();
  single_utterance_ = config.single_utterance();
  configured_ = true;
  return StartModelIfReady();
}

absl::Status SpeechStreamingReactor::StartModelIfReady() {
  const int rate = decoder_->sample_rate_hz();
  if (rate <= 0) return absl::OkStatus();
  options_.stream.input_rate_hz = rate;
  absl::StatusOr<std::unique_ptr<models::AsrStream>> stream =
      options_.pipeline->CreateStream(options_.stream);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

absl::Status SpeechStreamingReactor::Recognize(const std::vector<float>& samples, bool flush) {
  events_.clear();
  if (!samples.empty()) {
    if (absl::Status s = stream_->Accept(samples, &events_); !s.ok()) return s;
  }
  if (flush) {
    if (absl::Status s = stream_->Flush(&events_); !s.ok()) return s;
  }
  SendEvents();
  if (!interim_results_ || done_ || flush) return absl::OkStatus();
  const models::AsrResult interim = stream_->Interim();
  const std::string text =
      interim.alternatives.empty() ? std::string() : interim.alternatives[0].transcript;
  if (text.empty() || text == last_interim_) return absl::OkStatus();
  last_interim_ = text;
  v1::StreamingRecognizeResponse response;
  *response.add_results() = ToProto(interim, options_);
  Send(std::move(response));
  return absl::OkStatus();
}

void SpeechStreamingReactor::SendEvents() {
  for (const models::AsrEvent& e : events_) {
    if (done_) return;
    v1::StreamingRecognizeResponse response;
    switch (e.type) {
      case models::AsrEvent::Type::kSpeechBegin:
        response.set_speech_event_type(v1::SPEECH_ACTIVITY_BEGIN);
        SetDuration(e.offset_ns, response.mutable_speech_event_offset());
        break;
      case models::AsrEvent::Type::kSpeechEnd:
        response.set_speech_event_type(v1::SPEECH_ACTIVITY_END);
        SetDuration(e.offset_ns, response.mutable_speech_event_offset());
        break;
      case models::AsrEvent::Type::kFinal:
        if (single_utterance_) {
          v1::StreamingRecognizeResponse end;
          end.set_speech_event_type(v1::END_OF_SINGLE_UTTERANCE);
          SetDuration(e.offset_ns, end.mutable_speech_event_offset());
          Send(std::move(end));
          done_ = true;
        }
        *response.add_results() = ToProto(e.result, options_);
        last_interim_.clear();
        break;
    }
    Send(std::move(response));
  }
}

}  // namespace auris::server
