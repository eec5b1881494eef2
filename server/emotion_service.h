// auris.v1.Emotion: AnalyzeEmotion (unary, on a worker) and StreamingAnalyzeEmotion. With no
// emotion model loaded every call is FAILED_PRECONDITION "no emotion model is loaded".
// Thread-safe.
#ifndef AURIS_SERVER_EMOTION_SERVICE_H_
#define AURIS_SERVER_EMOTION_SERVICE_H_

#include "auris/v1/emotion.grpc.pb.h"
#include "server/server_state.h"

namespace auris::server {

class EmotionService final : public v1::Emotion::CallbackService {
 public:
  explicit EmotionService(ServerState* state) : state_(state) {}

  grpc::ServerUnaryReactor* AnalyzeEmotion(grpc::CallbackServerContext* context,
                                           const v1::AnalyzeEmotionRequest* request,
                                           v1::AnalyzeEmotionResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamingAnalyzeEmotionRequest, v1::StreamingAnalyzeEmotionResponse>*
  StreamingAnalyzeEmotion(grpc::CallbackServerContext* context) override;

 private:
  ServerState* const state_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_EMOTION_SERVICE_H_
