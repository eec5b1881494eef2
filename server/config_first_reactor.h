// Base of the config-first audio streams (StreamingDenoise, StreamingAnalyzeEmotion,
// StreamingRecognize): the first message carries the config (oneof case kConfigCase), later
// ones audio_content. Answers the protocol errors (StreamConfigErrors), decodes audio with the
// max_stream_seconds limit, counts audio seconds and starts the model stream once the sample
// rate is known. The hooks run on a worker, one at a time, in order (see StreamReactor).
#ifndef AURIS_SERVER_CONFIG_FIRST_REACTOR_H_
#define AURIS_SERVER_CONFIG_FIRST_REACTOR_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "dsp/audio_format.h"
#include "server/stream_audio_input.h"
#include "server/stream_config_errors.h"
#include "server/stream_reactor.h"

namespace auris::server {

template <typename Request, typename Response, auto kConfigCase>
class ConfigFirstReactor : public StreamReactor<Request, Response> {
 protected:
  ConfigFirstReactor(grpc::CallbackServerContext* context, ServerState* state, std::string method,
                     const StreamConfigErrors& errors)
      : StreamReactor<Request, Response>(context, state, std::move(method)), errors_(errors) {}

  // The config message: resolve the options, then OpenAudio.
  virtual absl::Status Configure(const Request& request) = 0;
  // Creates the model stream for audio at `rate_hz`; called once the rate is known.
  virtual absl::Status StartModel(int rate_hz) = 0;
  virtual bool model_started() const = 0;
  // Decoded audio for the started model.
  virtual absl::Status Process(const std::vector<float>& samples) = 0;
  // The client half-closed: flush and send the last responses. `late` is the audio held back
  // when the model only started now, else null.
  virtual absl::Status End(const std::vector<float>* late) = 0;
  // True when later audio is to be ignored (and the end needs no flush).
  virtual bool ignoring_audio() const { return false; }

  // For Configure: creates the decoder for `format`; starts the model if its rate is known.
  absl::Status OpenAudio(const dsp::AudioFormat& format) {
    if (absl::Status s = audio_.Open(format); !s.ok()) return s;
    return StartModelIfReady();
  }

 private:
  absl::Status HandleMessage(const Request& request) final {
    if (request.streaming_request_case() == kConfigCase) {
      if (audio_.is_open()) return errors_.SentTwice();
      return Configure(request);
    }
    if (request.streaming_request_case() != Request::kAudioContent) return errors_.NeitherSet();
    if (!audio_.is_open()) return errors_.AudioFirst();
    if (ignoring_audio()) return absl::OkStatus();
    if (absl::Status s =
            audio_.Accept(request.audio_content(), this->state().config().max_stream_seconds);
        !s.ok()) {
      return s;
    }
    const int rate = audio_.sample_rate_hz();
    if (rate <= 0) return absl::OkStatus();
    if (!model_started()) {
      if (absl::Status s = StartModel(rate); !s.ok()) return s;
    }
    this->AddAudioSeconds(static_cast<double>(audio_.ready().size()) / rate);
    return Process(audio_.ready());
  }

  absl::Status HandleEnd() final {
    if (!audio_.is_open()) return errors_.EndedFirst();
    if (ignoring_audio()) return absl::OkStatus();
    if (absl::Status s = audio_.Finish(); !s.ok()) return s;
    if (model_started()) return End(nullptr);
    if (absl::Status s = StartModelIfReady(); !s.ok()) return s;
    if (!model_started()) return absl::InvalidArgumentError("the stream carried no audio samples");
    return End(&audio_.held_back());
  }

  absl::Status StartModelIfReady() {
    const int rate = audio_.sample_rate_hz();
    return rate > 0 ? StartModel(rate) : absl::OkStatus();
  }

  const StreamConfigErrors& errors_;
  StreamAudioInput audio_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_CONFIG_FIRST_REACTOR_H_
