#include "server/streaming_emotion_reactor.h"

#include "absl/strings/str_cat.h"
#include "server/emotion_options.h"

namespace auris::server {

StreamingEmotionReactor::StreamingEmotionReactor(grpc::CallbackServerContext* context,
                                                 ServerState* state)
    : StreamReactor(context, state, "StreamingAnalyzeEmotion") {
  Begin();
}

absl::Status StreamingEmotionReactor::HandleMessage(
    const v1::StreamingAnalyzeEmotionRequest& request) {
  switch (request.streaming_request_case()) {
    case v1::StreamingAnalyzeEmotionRequest::kConfig:
      if (decoder_) {
        return absl::FailedPreconditionError(
            "config was sent twice; send it only in the first message");
      }
      return Configure(request.config());
    case v1::StreamingAnalyzeEmotionRequest::kAudioContent:
      break;
    default:
      return absl::InvalidArgumentError(
          "a StreamingAnalyzeEmotionRequest must set config (first message) or audio_content");
  }
  if (!decoder_) {
    return absl::FailedPreconditionError(
        "the first message must be a config (EmotionConfig); audio_content came first");
  }
  decoded_.clear();
  if (absl::Status s = decoder_->Accept(request.audio_content(), &decoded_); !s.ok()) return s;
  const double seconds =
      decoder_->sample_rate_hz() > 0
          ? static_cast<double>(decoder_->samples_out()) / decoder_->sample_rate_hz()
          : 0.0;
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
  AddAudioSeconds(static_cast<double>(decoded_.size()) / decoder_->sample_rate_hz());
  frames_.clear();
  if (absl::Status s = stream_->Accept(decoded_, &frames_); !s.ok()) return s;
  SendFrames(nullptr);
  return absl::OkStatus();
}

absl::Status StreamingEmotionReactor::HandleEnd() {
  if (!decoder_) {
    return absl::FailedPreconditionError(
        "the stream ended before a config was sent; the first message must be an EmotionConfig");
  }
  if (absl::Status s = decoder_->Finish(); !s.ok()) return s;
  frames_.clear();
  if (!stream_) {
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!stream_) return absl::InvalidArgumentError("the stream carried no audio samples");
    if (absl::Status s = stream_->Accept(waiting_, &frames_); !s.ok()) return s;
  }
  if (absl::Status s = stream_->Flush(&frames_); !s.ok()) return s;
  const models::EmotionSummary summary = stream_->Summary();
  SendFrames(&summary);
  return absl::OkStatus();
}

absl::Status StreamingEmotionReactor::Configure(const v1::EmotionConfig& config) {
  absl::StatusOr<EmotionOptions> options = ResolveEmotionOptions(config, state().registry());
  if (!options.ok()) return options.status();
  absl::StatusOr<std::unique_ptr<dsp::StreamDecoder>> decoder =
      dsp::StreamDecoder::Create(options->input);
  if (!decoder.ok()) return decoder.status();
  decoder_ = *std::move(decoder);
  pipeline_ = options->pipeline;
  frame_period_ms_ = options->frame_period_ms;
  return StartModelIfReady();
}

absl::Status StreamingEmotionReactor::StartModelIfReady() {
  const int input_rate = decoder_->sample_rate_hz();
  if (input_rate <= 0) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<models::EmotionStream>> stream =
      pipeline_->CreateStream(input_rate, frame_period_ms_);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

void StreamingEmotionReactor::SendFrames(const models::EmotionSummary* summary) {
  if (frames_.empty() && summary == nullptr) return;
  v1::StreamingAnalyzeEmotionResponse response;
  for (const models::EmotionFrame& frame : frames_) ToProto(frame, response.add_frames());
  if (summary != nullptr) ToProto(*summary, response.mutable_summary());
  Send(std::move(response));
}

}  // namespace auris::server
