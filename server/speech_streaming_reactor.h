// One Speech.StreamingRecognize call: a StreamingRecognitionConfig first, then raw/WAV audio
// chunks; interim results (when asked) after each chunk whose best transcript changed, a final
// result per utterance (split at pauses), and SPEECH_ACTIVITY_BEGIN / END events. With
// single_utterance, the first final is preceded by END_OF_SINGLE_UTTERANCE and later audio is
// ignored until the client half-closes. Runs on workers (see StreamReactor).
#ifndef AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_
#define AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "auris/v1/speech.grpc.pb.h"
#include "dsp/stream_decoder.h"
#include "models/asr/asr_stream.h"
#include "server/speech_options.h"
#include "server/stream_reactor.h"

namespace auris::server {

class SpeechStreamingReactor
    : public StreamReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse> {
 public:
  SpeechStreamingReactor(grpc::CallbackServerContext* context, ServerState* state);

 private:
  absl::Status HandleMessage(const v1::StreamingRecognizeRequest& request) override;
  absl::Status HandleEnd() override;
  absl::Status Configure(const v1::StreamingRecognitionConfig& config);
  absl::Status StartModelIfReady();
  absl::Status Recognize(const std::vector<float>& samples, bool flush);
  void SendEvents();

  SpeechOptions options_;
  bool configured_ = false;
  bool interim_results_ = false;
  bool single_utterance_ = false;
  bool done_ = false;  // single utterance finished: ignore further audio
  std::unique_ptr<dsp::StreamDecoder> decoder_;
  std::unique_ptr<models::AsrStream> stream_;
  std::vector<float> decoded_;
  std::vector<float> waiting_;  // decoded before the rate was known (WAV header pending)
  std::vector<models::AsrEvent> events_;
  std::string last_interim_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_
