// auris.v1.Speech: Recognize (unary, on a worker; one result per utterance, split at pauses)
// and StreamingRecognize (SpeechStreamingReactor). Without an asr model every call is
// FAILED_PRECONDITION "no asr model is loaded". Thread-safe.
#ifndef AURIS_SERVER_SPEECH_SERVICE_H_
#define AURIS_SERVER_SPEECH_SERVICE_H_

#include "auris/v1/speech.grpc.pb.h"
#include "server/server_state.h"

namespace auris::server {

class SpeechService final : public v1::Speech::CallbackService {
 public:
  explicit SpeechService(ServerState* state) : state_(state) {}

  grpc::ServerUnaryReactor* Recognize(grpc::CallbackServerContext* context,
                                      const v1::RecognizeRequest* request,
                                      v1::RecognizeResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse>*
  StreamingRecognize(grpc::CallbackServerContext* context) override;

 private:
  ServerState* const state_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_SPEECH_SERVICE_H_
