#include "server/emotion_service.h"

#include "server/no_model_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoEmotionModel() {
  return absl::FailedPreconditionError("no emotion model is loaded");
}

}  // namespace

grpc::ServerUnaryReactor* EmotionService::AnalyzeEmotion(grpc::CallbackServerContext* context,
                                                         const v1::AnalyzeEmotionRequest* request,
                                                         v1::AnalyzeEmotionResponse* response) {
  return RunUnary(context, state_, "AnalyzeEmotion", [](double*) { return NoEmotionModel(); });
}

grpc::ServerBidiReactor<v1::StreamingAnalyzeEmotionRequest, v1::StreamingAnalyzeEmotionResponse>*
EmotionService::StreamingAnalyzeEmotion(grpc::CallbackServerContext* context) {
  return new NoModelReactor<v1::StreamingAnalyzeEmotionRequest,
                            v1::StreamingAnalyzeEmotionResponse>(
      context, state_, "StreamingAnalyzeEmotion", NoEmotionModel());
}

}  // namespace auris::server
