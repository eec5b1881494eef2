// The audio side of one config-first streaming call: decodes raw/WAV chunks, enforces
// max_stream_seconds, and holds back samples decoded before the sample rate is known (a WAV
// header split across chunks) until it is. Not thread-safe: owned by one reactor, used by one
// worker at a time.
#ifndef AURIS_SERVER_STREAM_AUDIO_INPUT_H_
#define AURIS_SERVER_STREAM_AUDIO_INPUT_H_

#include <memory>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "dsp/audio_format.h"
#include "dsp/stream_decoder.h"

namespace auris::server {

class StreamAudioInput {
 public:
  // Creates the decoder; call once, on the config message.
  absl::Status Open(const dsp::AudioFormat& format);
  bool is_open() const { return decoder_ != nullptr; }
  // 0 until known (raw formats: at Open; WAV: once the header is in). Requires is_open().
  int sample_rate_hz() const { return decoder_->sample_rate_hz(); }

  // Decodes one chunk. OUT_OF_RANGE once the stream carried more than `max_seconds` of audio.
  // Afterwards ready() holds the samples for the model: empty while the rate is unknown, then
  // everything held back so far followed by this chunk's samples.
  absl::Status Accept(std::string_view bytes, double max_seconds);
  const std::vector<float>& ready() const { return ready_; }

  // The client half-closed: checks the decoder saw whole frames and a whole header.
  absl::Status Finish() { return decoder_->Finish(); }
  // Samples still held back (the rate was not known by the last Accept).
  const std::vector<float>& held_back() const { return held_back_; }

 private:
  std::unique_ptr<dsp::StreamDecoder> decoder_;
  std::vector<float> ready_;
  std::vector<float> held_back_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_STREAM_AUDIO_INPUT_H_
