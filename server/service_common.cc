#include "server/service_common.h"

#include "absl/strings/str_cat.h"

namespace auris::server {

absl::Status RequireConfig(bool has_config) {
  if (has_config) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "config is required: set config.format (or leave encoding UNSPECIFIED for WAV, FLAC or "
      "OGG files)");
}

absl::Status NoModelLoaded(absl::string_view task) {
  return absl::FailedPreconditionError(absl::StrCat("no ", task, " model is loaded"));
}

absl::StatusOr<dsp::DecodedAudio> DecodeUnaryAudio(
    const std::string& bytes, const dsp::AudioFormat& format, const ServerConfig& config,
    absl::string_view method, absl::string_view streaming_method, double* audio_seconds) {
  absl::StatusOr<dsp::DecodedAudio> audio = dsp::DecodeAudio(bytes, format);
  if (!audio.ok()) return audio.status();
  const double seconds = static_cast<double>(audio->samples.size()) / audio->sample_rate_hz;
  *audio_seconds = seconds;
  if (seconds > config.max_unary_audio_seconds) {
    return absl::OutOfRangeError(absl::StrCat("the audio is ", seconds, " s long; ", method,
                                              " accepts at most ", config.max_unary_audio_seconds,
                                              " s (max_unary_audio_seconds): split it or use ",
                                              streaming_method));
  }
  return audio;
}

}  // namespace auris::server
