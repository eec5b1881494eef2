#include "dsp/audio_decoder.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dsp/sndfile_memory.h"
#include "dsp/stream_decoder.h"

namespace auris::dsp {
namespace {

constexpr sf_count_t kReadFrames = 4096;
constexpr char kUnknownContainer[] =
    "unknown container: the first bytes are not WAV (RIFF), FLAC (fLaC) or OGG (OggS); set "
    "format.encoding for raw audio (LINEAR16, FLOAT32, MULAW, ALAW)";

bool IsOgg(Encoding encoding) {
  return encoding == Encoding::kOggVorbis || encoding == Encoding::kOggOpus;
}

// kUnspecified when the bytes start no known container; an OGG stream whose first packet is
// neither Vorbis nor Opus is reported as kOggVorbis and left to libsndfile.
Encoding SniffContainer(std::string_view bytes) {
  if (bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WAVE") {
    return Encoding::kWav;
  }
  if (bytes.substr(0, 4) == "fLaC") return Encoding::kFlac;
  if (bytes.substr(0, 4) != "OggS") return Encoding::kUnspecified;
  constexpr std::size_t kSegmentCountAt = 26;
  if (bytes.size() <= kSegmentCountAt) return Encoding::kOggVorbis;
  const std::size_t packet_at = kSegmentCountAt + 1 + static_cast<unsigned char>(bytes[26]);
  if (bytes.substr(std::min(packet_at, bytes.size()), 8) == "OpusHead") return Encoding::kOggOpus;
  return Encoding::kOggVorbis;
}

std::uint32_t LoadU32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// A WAV whose data chunk size is 0 (left open by a streaming writer) gets the real size, so
// libsndfile reads to the end as it does for 0xFFFFFFFF. Returns an empty string otherwise.
std::string CloseOpenWavData(std::string_view bytes) {
  constexpr std::size_t kChunkHeader = 8;
  std::size_t at = 12;
  while (at + kChunkHeader <= bytes.size()) {
    const std::uint32_t size = LoadU32(bytes, at + 4);
    if (bytes.substr(at, 4) == "data") {
      if (size != 0) return std::string();
      std::string patched(bytes);
      const auto remaining = static_cast<std::uint32_t>(
          std::min<std::size_t>(bytes.size() - at - kChunkHeader, 0xFFFFFFFEu));
      for (int i = 0; i < 4; ++i) patched[at + 4 + i] = static_cast<char>(remaining >> (8 * i));
      return patched;
    }
    at += kChunkHeader + size + (size & 1);
  }
  return std::string();
}

std::string_view MagicOf(Encoding container) {
  switch (container) {
    case Encoding::kWav:
      return "RIFF....WAVE";
    case Encoding::kFlac:
      return "fLaC";
    default:
      return "OggS";
  }
}

Encoding ContainerOfInfo(const SF_INFO& info, Encoding sniffed) {
  switch (info.format & SF_FORMAT_TYPEMASK) {
    case SF_FORMAT_WAV:
    case SF_FORMAT_WAVEX:
      return Encoding::kWav;
    case SF_FORMAT_FLAC:
      return Encoding::kFlac;
    case SF_FORMAT_OGG:
      return (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? Encoding::kOggOpus
                                                                 : Encoding::kOggVorbis;
    default:
      return sniffed;
  }
}

absl::Status CheckDeclaredFormat(const AudioFormat& format) {
  if (EncodingName(format.encoding) == "UNKNOWN_ENCODING") {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unknown encoding %d; allowed LINEAR16, FLOAT32, MULAW, ALAW, WAV, FLAC, OGG_VORBIS, "
        "OGG_OPUS or unspecified",
        static_cast<int>(format.encoding)));
  }
  if (format.channel_count < 0 || format.channel_count > kMaxChannels) {
    return absl::InvalidArgumentError(
        absl::StrFormat("channel_count %d is outside 0..%d", format.channel_count, kMaxChannels));
  }
  if (format.sample_rate_hz != 0 &&
      (format.sample_rate_hz < kMinSampleRateHz || format.sample_rate_hz > kMaxSampleRateHz)) {
    return absl::InvalidArgumentError(absl::StrFormat("sample_rate_hertz %d is outside %d..%d",
                                                      format.sample_rate_hz, kMinSampleRateHz,
                                                      kMaxSampleRateHz));
  }
  return absl::OkStatus();
}

absl::StatusOr<DecodedAudio> DecodeRaw(std::string_view bytes, const AudioFormat& format) {
  absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder = StreamDecoder::Create(format);
  if (!decoder.ok()) return decoder.status();
  DecodedAudio audio;
  audio.encoding = format.encoding;
  audio.sample_rate_hz = format.sample_rate_hz;
  if (absl::Status status = (*decoder)->Accept(bytes, &audio.samples); !status.ok()) {
    return status;
  }
  if (absl::Status status = (*decoder)->Finish(); !status.ok()) return status;
  return audio;
}

absl::Status CheckContainerKind(Encoding declared, Encoding actual) {
  if (actual == Encoding::kUnspecified) {
    if (declared == Encoding::kUnspecified) return absl::InvalidArgumentError(kUnknownContainer);
    return absl::InvalidArgumentError(
        absl::StrFormat("declared %s but the first bytes are not a %s header (%s)",
                        EncodingName(declared), EncodingName(declared), MagicOf(declared)));
  }
  if (declared == Encoding::kUnspecified || declared == actual) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat("declared %s but the audio is %s",
                                                    EncodingName(declared), EncodingName(actual)));
}

absl::StatusOr<DecodedAudio> DecodeContainer(std::string_view bytes, const AudioFormat& format) {
  const Encoding sniffed = SniffContainer(bytes);
  const Encoding declared = format.encoding;
  const bool ogg_codec_known_later = IsOgg(declared) && IsOgg(sniffed);
  if (absl::Status status =
          CheckContainerKind(declared, ogg_codec_known_later ? declared : sniffed);
      !status.ok()) {
    return status;
  }
  const std::string patched = sniffed == Encoding::kWav ? CloseOpenWavData(bytes) : std::string();
  if (!patched.empty()) bytes = patched;
  absl::StatusOr<std::unique_ptr<SndfileMemory>> file = SndfileMemory::OpenRead(bytes);
  if (!file.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "corrupt or unsupported %s file: %s", EncodingName(sniffed), file.status().message()));
  }
  const SF_INFO& info = (*file)->info();
  const Encoding actual = ContainerOfInfo(info, sniffed);
  if (absl::Status status = CheckContainerKind(declared, actual); !status.ok()) return status;
  const std::string_view name = EncodingName(actual);
  if (info.samplerate < kMinSampleRateHz || info.samplerate > kMaxSampleRateHz) {
    return absl::InvalidArgumentError(absl::StrFormat("the %s header says %d Hz, outside %d..%d",
                                                      name, info.samplerate, kMinSampleRateHz,
                                                      kMaxSampleRateHz));
  }
  if (format.sample_rate_hz != 0 && format.sample_rate_hz != info.samplerate) {
    return absl::InvalidArgumentError(absl::StrFormat("declared %d Hz but the %s header says %d Hz",
                                                      format.sample_rate_hz, name,
                                                      info.samplerate));
  }
  if (info.channels < 1 || info.channels > kMaxChannels) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "the %s header says %d channels; allowed 1..%d", name, info.channels, kMaxChannels));
  }
  DecodedAudio audio;
  audio.encoding = actual;
  audio.sample_rate_hz = info.samplerate;
  if (info.frames > 0 && info.frames < SF_COUNT_MAX) {
    audio.samples.reserve(static_cast<std::size_t>(
        std::min<sf_count_t>(info.frames, static_cast<sf_count_t>(bytes.size()) * 64)));
  }
  std::vector<float> block(static_cast<std::size_t>(kReadFrames * info.channels));
  for (;;) {
    const sf_count_t frames = sf_readf_float((*file)->handle(), block.data(), kReadFrames);
    if (frames <= 0) break;
    AppendMono(
        std::span<const float>(block.data(), static_cast<std::size_t>(frames * info.channels)),
        info.channels, &audio.samples);
  }
  if (audio.samples.empty()) {
    if (sf_error((*file)->handle()) != SF_ERR_NO_ERROR) {
      return absl::InvalidArgumentError(
          absl::StrFormat("corrupt %s file: %s", name, (*file)->Error()));
    }
    return absl::InvalidArgumentError(absl::StrFormat("the %s file has no samples", name));
  }
  return audio;
}

}  // namespace

absl::StatusOr<DecodedAudio> DecodeAudio(std::string_view bytes, const AudioFormat& format) {
  if (absl::Status status = CheckDeclaredFormat(format); !status.ok()) return status;
  if (bytes.empty()) return absl::InvalidArgumentError("audio is empty");
  if (IsRawEncoding(format.encoding)) return DecodeRaw(bytes, format);
  return DecodeContainer(bytes, format);
}

}  // namespace auris::dsp
