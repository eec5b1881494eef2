#include "server/stream_audio_input.h"

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace auris::server {

absl::Status StreamAudioInput::Open(const dsp::AudioFormat& format) {
  absl::StatusOr<std::unique_ptr<dsp::StreamDecoder>> decoder = dsp::StreamDecoder::Create(format);
  if (!decoder.ok()) return decoder.status();
  decoder_ = *std::move(decoder);
  return absl::OkStatus();
}

absl::Status StreamAudioInput::Accept(std::string_view bytes, double max_seconds) {
  ready_.clear();
  if (absl::Status s = decoder_->Accept(bytes, &ready_); !s.ok()) return s;
  const int rate = decoder_->sample_rate_hz();
  const double seconds = rate > 0 ? static_cast<double>(decoder_->samples_out()) / rate : 0.0;
  if (seconds > max_seconds) {
    return absl::OutOfRangeError(absl::StrCat("the stream carried more than ", max_seconds,
                                              " s of audio (max_stream_seconds); start a new "
                                              "stream for more"));
  }
  if (rate <= 0) {
    held_back_.insert(held_back_.end(), ready_.begin(), ready_.end());
    ready_.clear();
  } else if (!held_back_.empty()) {
    held_back_.insert(held_back_.end(), ready_.begin(), ready_.end());
    ready_.swap(held_back_);
    held_back_.clear();
  }
  return absl::OkStatus();
}

}  // namespace auris::server
