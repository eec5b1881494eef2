#include "server/speech_streaming_reactor.h"

#include "server/proto_time.h"

namespace auris::server {
namespace {

constexpr StreamConfigErrors kErrors = {"StreamingRecognizeRequest", "streaming_config",
                                        "StreamingRecognitionConfig", "a"};

}  // namespace

SpeechStreamingReactor::SpeechStreamingReactor(grpc::CallbackServerContext* context,
                                               ServerState* state)
    : ConfigFirstReactor(context, state, "StreamingRecognize", kErrors) {
  Begin();
}

absl::Status SpeechStreamingReactor::Configure(const v1::StreamingRecognizeRequest& request) {
  const v1::StreamingRecognitionConfig& config = request.streaming_config();
  absl::StatusOr<SpeechOptions> options =
      ResolveSpeechOptions(config.config(), &config.endpointing(), state().registry());
  if (!options.ok()) return options.status();
  options_ = *std::move(options);
  interim_results_ = config.interim_results();
  single_utterance_ = config.single_utterance();
  return OpenAudio(options_.input);
}

absl::Status SpeechStreamingReactor::StartModel(int rate_hz) {
  options_.stream.input_rate_hz = rate_hz;
  absl::StatusOr<std::unique_ptr<models::AsrStream>> stream =
      options_.pipeline->CreateStream(options_.stream);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

absl::Status SpeechStreamingReactor::Process(const std::vector<float>& samples) {
  AsrBatchScheduler* batches = state().asr_batches();
  if (batches == nullptr || samples.empty()) return Recognize(samples, /*flush=*/false);
  Defer([this, batches, &samples]() {
    batches->Submit(options_.pipeline, stream_.get(), samples,
                    [this](absl::Status status, std::vector<models::AsrEvent>* events) {
                      if (status.ok()) {
                        events_.swap(*events);
                        Report(/*flush=*/false);
                      }
                      Resume(status);
                    });
  });
  return absl::OkStatus();
}

absl::Status SpeechStreamingReactor::End(const std::vector<float>* late) {
  if (late != nullptr) {
    if (absl::Status s = Recognize(*late, /*flush=*/false); !s.ok()) return s;
  }
  if (done_) return absl::OkStatus();
  return Recognize({}, /*flush=*/true);
}

absl::Status SpeechStreamingReactor::Recognize(const std::vector<float>& samples, bool flush) {
  events_.clear();
  if (!samples.empty()) {
    if (absl::Status s = stream_->Accept(samples, &events_); !s.ok()) return s;
  }
  if (flush) {
    if (absl::Status s = stream_->Flush(&events_); !s.ok()) return s;
  }
  Report(flush);
  return absl::OkStatus();
}

void SpeechStreamingReactor::Report(bool flush) {
  SendEvents();
  if (!interim_results_ || done_ || flush) return;
  const models::AsrResult interim = stream_->Interim();
  const std::string text =
      interim.alternatives.empty() ? std::string() : interim.alternatives[0].transcript;
  if (text.empty() || text == last_interim_) return;
  last_interim_ = text;
  v1::StreamingRecognizeResponse response;
  *response.add_results() = ToProto(interim, options_);
  Send(std::move(response));
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
