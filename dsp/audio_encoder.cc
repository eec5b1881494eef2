#include "dsp/audio_encoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dsp/g711.h"
#include "dsp/sndfile_memory.h"

namespace auris::dsp {
namespace {

constexpr std::array<int, 5> kOpusRatesHz = {8000, 12000, 16000, 24000, 48000};

float Clip(float x) { return std::isnan(x) ? 0.0f : std::clamp(x, -1.0f, 1.0f); }

std::int16_t ToInt16(float x) {
  const long value = std::lrintf(Clip(x) * 32768.0f);
  return static_cast<std::int16_t>(std::clamp(value, -32768L, 32767L));
}

void AppendLe(std::uint32_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::string EncodeRaw(std::span<const float> samples, Encoding encoding) {
  std::string out;
  const std::size_t width = encoding == Encoding::kLinear16  ? 2
                            : encoding == Encoding::kFloat32 ? 4
                                                             : 1;
  out.reserve(samples.size() * width);
  for (float x : samples) {
    switch (encoding) {
      case Encoding::kLinear16:
        AppendLe(static_cast<std::uint16_t>(ToInt16(x)), 2, &out);
        break;
      case Encoding::kFloat32:
        AppendLe(std::bit_cast<std::uint32_t>(Clip(x)), 4, &out);
        break;
      case Encoding::kMulaw:
        out.push_back(static_cast<char>(LinearToMulaw(ToInt16(x))));
        break;
      default:
        out.push_back(static_cast<char>(LinearToAlaw(ToInt16(x))));
        break;
    }
  }
  return out;
}

absl::StatusOr<std::string> EncodeContainer(std::span<const float> samples, int sample_rate_hz,
                                            Encoding encoding) {
  int format = 0;
  switch (encoding) {
    case Encoding::kWav:
      format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
      break;
    case Encoding::kFlac:
      format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
      break;
    case Encoding::kOggVorbis:
      format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
      break;
    default:
      format = SF_FORMAT_OGG | SF_FORMAT_OPUS;
      break;
  }
  absl::StatusOr<std::unique_ptr<SndfileMemory>> file =
      SndfileMemory::OpenWrite(format, sample_rate_hz, 1);
  if (!file.ok()) return file.status();
  sf_count_t written = 0;
  const auto count = static_cast<sf_count_t>(samples.size());
  if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16) {
    std::vector<short> pcm(samples.size());
    std::transform(samples.begin(), samples.end(), pcm.begin(), ToInt16);
    written = sf_write_short((*file)->handle(), pcm.data(), count);
  } else {
    std::vector<float> clipped(samples.size());
    std::transform(samples.begin(), samples.end(), clipped.begin(), Clip);
    written = sf_write_float((*file)->handle(), clipped.data(), count);
  }
  if (written != count) {
    return absl::InternalError(absl::StrFormat("libsndfile wrote %d of %d %s samples: %s", written,
                                               count, EncodingName(encoding), (*file)->Error()));
  }
  return (*file)->Close();
}

}  // namespace

absl::StatusOr<std::string> EncodeAudio(std::span<const float> samples, int sample_rate_hz,
                                        Encoding encoding) {
  const std::string_view name = EncodingName(encoding);
  if (encoding == Encoding::kUnspecified || name == "UNKNOWN_ENCODING") {
    return absl::InvalidArgumentError(
        absl::StrFormat("cannot encode to %s; choose LINEAR16, FLOAT32, MULAW, ALAW, WAV, FLAC, "
                        "OGG_VORBIS or OGG_OPUS",
                        name));
  }
  if (sample_rate_hz < kMinSampleRateHz || sample_rate_hz > kMaxSampleRateHz) {
    return absl::InvalidArgumentError(absl::StrFormat("sample_rate_hertz %d is outside %d..%d",
                                                      sample_rate_hz, kMinSampleRateHz,
                                                      kMaxSampleRateHz));
  }
  if (encoding == Encoding::kOggOpus &&
      std::find(kOpusRatesHz.begin(), kOpusRatesHz.end(), sample_rate_hz) == kOpusRatesHz.end()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "OGG_OPUS cannot be written at %d Hz; Opus allows 8000, 12000, 16000, 24000 or 48000 Hz",
        sample_rate_hz));
  }
  if (IsRawEncoding(encoding)) return EncodeRaw(samples, encoding);
  return EncodeContainer(samples, sample_rate_hz, encoding);
}

}  // namespace auris::dsp
