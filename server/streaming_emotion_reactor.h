// One Emotion.StreamingAnalyzeEmotion call: config first, then raw/WAV audio chunks in;
// out, the frames completed by each chunk, and after the client half-closes a last message
// with the remaining frames and the summary. Frames and summary equal those of the unary
// AnalyzeEmotion on the same audio. Runs on workers (see ConfigFirstReactor).
#ifndef AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_
#define AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_

#include <memory>
#include <vector>

#include "auris/v1/emotion.grpc.pb.h"
#include "models/emotion/emotion_pipeline.h"
#include "server/config_first_reactor.h"

namespace auris::server {

class StreamingEmotionReactor
    : public ConfigFirstReactor<v1::StreamingAnalyzeEmotionRequest,
                                v1::StreamingAnalyzeEmotionResponse,
                                v1::StreamingAnalyzeEmotionRequest::kConfig> {
 public:
  StreamingEmotionReactor(grpc::CallbackServerContext* context, ServerState* state);

 private:
  absl::Status Configure(const v1::StreamingAnalyzeEmotionRequest& request) override;
  absl::Status StartModel(int rate_hz) override;
  bool model_started() const override { return stream_ != nullptr; }
  absl::Status Process(const std::vector<float>& samples) override;
  absl::Status End(const std::vector<float>* late) override;
  // Sends the frames gathered so far; with `summary`, always sends (the last message).
  void SendFrames(const models::EmotionSummary* summary);

  const models::EmotionPipeline* pipeline_ = nullptr;
  int frame_period_ms_ = 0;
  std::unique_ptr<models::EmotionStream> stream_;
  std::vector<models::EmotionFrame> frames_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_
