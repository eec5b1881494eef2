// One Emotion.StreamingAnalyzeEmotion call: config first, then raw/WAV audio chunks in;
// out, the frames completed by each chunk, and after the client half-closes a last message
// with the remaining frames and the summary. Frames and summary equal those of the unary
// AnalyzeEmotion on the same audio. Runs on workers (see StreamReactor).
#ifndef AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_
#define AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_

#include <memory>
#include <vector>

#include "auris/v1/emotion.grpc.pb.h"
#include "dsp/stream_decoder.h"
#include "models/emotion/emotion_pipeline.h"
#include "server/stream_reactor.h"

namespace auris::server {

class StreamingEmotionReactor : public StreamReactor<v1::StreamingAnalyzeEmotionRequest,
                                                     v1::StreamingAnalyzeEmotionResponse> {
 public:
  StreamingEmotionReactor(grpc::CallbackServerContext* context, ServerState* state);

 private:
  absl::Status HandleMessage(const v1::StreamingAnalyzeEmotionRequest& request) override;
  absl::Status HandleEnd() override;
  absl::Status Configure(const v1::EmotionConfig& config);
  absl::Status StartModelIfReady();
  // Sends the frames gathered so far; with `summary`, always sends (the last message).
  void SendFrames(const models::EmotionSummary* summary);

  const models::EmotionPipeline* pipeline_ = nullptr;
  int frame_period_ms_ = 0;
  std::unique_ptr<dsp::StreamDecoder> decoder_;
  std::unique_ptr<models::EmotionStream> stream_;
  std::vector<float> decoded_;
  std::vector<float> waiting_;  // decoded before the rate was known (WAV header pending)
  std::vector<models::EmotionFrame> frames_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAMING_EMOTION_REACTOR_H_
