// One Speech.StreamingRecognize call: a StreamingRecognitionConfig first, then raw/WAV audio
// chunks; interim results (when asked) after each chunk whose best transcript changed, a final
// result per utterance (split at pauses), and SPEECH_ACTIVITY_BEGIN / END events. With
// single_utterance, the first final is preceded by END_OF_SINGLE_UTTERANCE and later audio is
// ignored until the client half-closes. Runs on workers (see ConfigFirstReactor); with
// --max_batch_size > 1 each audio chunk is decoded in a batch with other streams
// (AsrBatchScheduler) and the next message is read once that batch is done; the end (flush)
// runs on this stream alone.
#ifndef AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_
#define AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_

#include <memory>
#include <string>
#include <vector>

#include "auris/v1/speech.grpc.pb.h"
#include "models/asr/asr_stream.h"
#include "server/config_first_reactor.h"
#include "server/speech_options.h"

namespace auris::server {

class SpeechStreamingReactor
    : public ConfigFirstReactor<v1::StreamingRecognizeRequest, v1::StreamingRecognizeResponse,
                                v1::StreamingRecognizeRequest::kStreamingConfig> {
 public:
  SpeechStreamingReactor(grpc::CallbackServerContext* context, ServerState* state);

 private:
  absl::Status Configure(const v1::StreamingRecognizeRequest& request) override;
  absl::Status StartModel(int rate_hz) override;
  bool model_started() const override { return stream_ != nullptr; }
  absl::Status Process(const std::vector<float>& samples) override;
  absl::Status End(const std::vector<float>* late) override;
  bool ignoring_audio() const override { return done_; }
  absl::Status Recognize(const std::vector<float>& samples, bool flush);
  // Sends events_ and, when asked for and changed, the interim result.
  void Report(bool flush);
  void SendEvents();

  SpeechOptions options_;
  bool interim_results_ = false;
  bool single_utterance_ = false;
  bool done_ = false;  // single utterance finished: ignore further audio
  std::unique_ptr<models::AsrStream> stream_;
  std::vector<models::AsrEvent> events_;
  std::string last_interim_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_SPEECH_STREAMING_REACTOR_H_
