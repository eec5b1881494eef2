#include "dsp/audio_format.h"

#include <algorithm>
#include <cmath>

namespace auris::dsp {
namespace {

float ClipSample(float value) { return std::isnan(value) ? 0.0f : std::clamp(value, -1.0f, 1.0f); }

}  // namespace

std::string_view EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kUnspecified:
      return "ENCODING_UNSPECIFIED";
    case Encoding::kLinear16:
      return "LINEAR16";
    case Encoding::kFloat32:
      return "FLOAT32";
    case Encoding::kMulaw:
      return "MULAW";
    case Encoding::kAlaw:
      return "ALAW";
    case Encoding::kWav:
      return "WAV";
    case Encoding::kFlac:
      return "FLAC";
    case Encoding::kOggVorbis:
      return "OGG_VORBIS";
    case Encoding::kOggOpus:
      return "OGG_OPUS";
  }
  return "UNKNOWN_ENCODING";
}

bool IsRawEncoding(Encoding encoding) {
  return encoding == Encoding::kLinear16 || encoding == Encoding::kFloat32 ||
         encoding == Encoding::kMulaw || encoding == Encoding::kAlaw;
}

bool IsStreamableEncoding(Encoding encoding) {
  return IsRawEncoding(encoding) || encoding == Encoding::kWav;
}

void AppendMono(std::span<const float> interleaved, int channel_count, std::vector<float>* out) {
  const std::size_t channels = channel_count > 1 ? static_cast<std::size_t>(channel_count) : 1;
  const std::size_t frames = interleaved.size() / channels;
  const std::size_t first = out->size();
  out->resize(first + frames);
  float* dst = out->data() + first;
  if (channels == 1) {
    for (std::size_t i = 0; i < frames; ++i) dst[i] = ClipSample(interleaved[i]);
    return;
  }
  const float scale = 1.0f / static_cast<float>(channels);
  for (std::size_t i = 0; i < frames; ++i) {
    float sum = 0.0f;
    for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
    dst[i] = ClipSample(sum * scale);
  }
}

}  // namespace auris::dsp
