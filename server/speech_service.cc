#include "server/speech_service.h"

#include "server/no_model_reactor.h"
#include "server/unary_call.h"

namespace auris::server {
namespace {

absl::Status NoAsrModel() { return absl::FailedPreconditionError("no asr model is loaded"); }

}  // namespace

grpc::ServerUnaryReactor* SpeechService::Recognize(grpc::CallbackServerContext* context,
                                                   const v1::RecognizeRequest* request,
                                                   v1::RecognizeResponse* response) {
  return RunUnary(context, state_, "Recognize", [](double*) { return NoAsrModel(); });
}

grpc::ServerBidiReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse>*
SpeechService::StreamingRecognize(grpc::CallbackServerContext* context) {
  return new NoModelReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse>(
      context, state_, "StreamingRecognize", NoAsrModel());
}

}  // namespace auris::server
