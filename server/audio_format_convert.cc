#include "server/audio_format_convert.h"

#include "absl/strings/str_cat.h"

namespace auris::server {

absl::StatusOr<dsp::AudioFormat> FromProto(const v1::AudioFormat& format, const char* what) {
  const int encoding = format.encoding();
  if (encoding < 0 || encoding > static_cast<int>(dsp::Encoding::kOggOpus)) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ".encoding ", encoding,
        " is unknown; allowed: AUDIO_ENCODING_UNSPECIFIED, LINEAR16, FLOAT32, MULAW, ALAW, WAV, "
        "FLAC, OGG_VORBIS, OGG_OPUS"));
  }
  const int rate = format.sample_rate_hertz();
  if (rate != 0 && (rate < dsp::kMinSampleRateHz || rate > dsp::kMaxSampleRateHz)) {
    return absl::InvalidArgumentError(absl::StrCat(what, ".sample_rate_hertz ", rate,
                                                   " is outside ", dsp::kMinSampleRateHz, "..",
                                                   dsp::kMaxSampleRateHz));
  }
  const int channels = format.channel_count();
  if (channels < 0 || channels > dsp::kMaxChannels) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ".channel_count ", channels, " is outside 0..", dsp::kMaxChannels));
  }
  dsp::AudioFormat out;
  out.encoding = static_cast<dsp::Encoding>(encoding);
  out.sample_rate_hz = rate;
  out.channel_count = channels;
  return out;
}

v1::AudioFormat ToProto(const dsp::AudioFormat& format) {
  v1::AudioFormat out;
  out.set_encoding(static_cast<v1::AudioEncoding>(format.encoding));
  out.set_sample_rate_hertz(format.sample_rate_hz);
  out.set_channel_count(format.channel_count);
  return out;
}

}  // namespace auris::server
