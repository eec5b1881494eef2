#include "server/streaming_emotion_reactor.h"

#include "server/emotion_options.h"

namespace auris::server {
namespace {

constexpr StreamConfigErrors kErrors = {"StreamingAnalyzeEmotionRequest", "config", "EmotionConfig",
                                        "an"};

}  // namespace

StreamingEmotionReactor::StreamingEmotionReactor(grpc::CallbackServerContext* context,
                                                 ServerState* state)
    : ConfigFirstReactor(context, state, "StreamingAnalyzeEmotion", kErrors) {
  Begin();
}

absl::Status StreamingEmotionReactor::Configure(const v1::StreamingAnalyzeEmotionRequest& request) {
  absl::StatusOr<EmotionOptions> options =
      ResolveEmotionOptions(request.config(), state().registry());
  if (!options.ok()) return options.status();
  pipeline_ = options->pipeline;
  frame_period_ms_ = options->frame_period_ms;
  return OpenAudio(options->input);
}

absl::Status StreamingEmotionReactor::StartModel(int rate_hz) {
  absl::StatusOr<std::unique_ptr<models::EmotionStream>> stream =
      pipeline_->CreateStream(rate_hz, frame_period_ms_);
  if (!stream.ok()) return stream.status();
  stream_ = *std::move(stream);
  return absl::OkStatus();
}

absl::Status StreamingEmotionReactor::Process(const std::vector<float>& samples) {
  frames_.clear();
  if (absl::Status s = stream_->Accept(samples, &frames_); !s.ok()) return s;
  SendFrames(nullptr);
  return absl::OkStatus();
}

absl::Status StreamingEmotionReactor::End(const std::vector<float>* late) {
  frames_.clear();
  if (late != nullptr) {
    if (absl::Status s = stream_->Accept(*late, &frames_); !s.ok()) return s;
  }
  if (absl::Status s = stream_->Flush(&frames_); !s.ok()) return s;
  const models::EmotionSummary summary = stream_->Summary();
  SendFrames(&summary);
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
