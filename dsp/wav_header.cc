#include "dsp/wav_header.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dsp/audio_format.h"

namespace auris::dsp {
namespace {

constexpr std::size_t kChunkHeaderBytes = 8;
constexpr std::uint32_t kMinFmtBytes = 16;
constexpr std::uint32_t kMaxFmtBytes = 1024;
constexpr std::uint32_t kExtensibleFmtBytes = 40;
constexpr int kTagPcm = 0x0001;
constexpr int kTagFloat = 0x0003;
constexpr int kTagAlaw = 0x0006;
constexpr int kTagMulaw = 0x0007;
constexpr int kTagExtensible = 0xFFFE;
constexpr std::string_view kSubformatGuidTail(
    "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
constexpr char kSupported[] =
    "streaming supports PCM 8/16/24/32-bit, IEEE float 32-bit, mu-law and A-law, also as "
    "WAVE_FORMAT_EXTENSIBLE";

std::uint32_t ReadU16(std::string_view bytes, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 8;
}

std::uint32_t ReadU32(std::string_view bytes, std::size_t at) {
  return ReadU16(bytes, at) | ReadU16(bytes, at + 2) << 16;
}

std::string Printable(std::string_view id) {
  std::string out;
  for (char c : id) out += (c >= 0x20 && c < 0x7F) ? c : '?';
  return out;
}

}  // namespace

int BytesPerSample(PcmFormat format) {
  switch (format) {
    case PcmFormat::kUnsigned8:
    case PcmFormat::kMulaw:
    case PcmFormat::kAlaw:
      return 1;
    case PcmFormat::kSigned16:
      return 2;
    case PcmFormat::kSigned24:
      return 3;
    case PcmFormat::kSigned32:
    case PcmFormat::kFloat32:
      return 4;
  }
  return 1;
}

absl::StatusOr<bool> WavHeaderParser::Consume(std::string_view bytes, std::size_t* consumed) {
  std::size_t pos = 0;
  while (state_ != State::kDone && pos < bytes.size()) {
    const std::size_t available = bytes.size() - pos;
    if (state_ == State::kSkip) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_, available));
      skip_ -= n;
      pos += n;
      if (skip_ == 0) {
        state_ = State::kChunkHeader;
        needed_ = kChunkHeaderBytes;
      }
      continue;
    }
    const std::size_t n = std::min(needed_ - pending_.size(), available);
    pending_.append(bytes.substr(pos, n));
    pos += n;
    if (pending_.size() < needed_) break;
    absl::Status status;
    switch (state_) {
      case State::kRiff:
        status = OnRiff();
        break;
      case State::kChunkHeader:
        status = OnChunkHeader();
        break;
      case State::kChunkBody:
        status = OnFmt();
        break;
      case State::kSkip:
      case State::kDone:
        break;
    }
    pending_.clear();
    if (!status.ok()) {
      *consumed = pos;
      return status;
    }
  }
  *consumed = pos;
  return state_ == State::kDone;
}

absl::Status WavHeaderParser::OnRiff() {
  const std::string_view riff(pending_.data(), 4);
  const std::string_view wave(pending_.data() + 8, 4);
  if (riff != "RIFF" || wave != "WAVE") {
    return absl::InvalidArgumentError(absl::StrCat(
        "not a WAV stream: it starts with \"", Printable(riff), "\"...\"", Printable(wave),
        "\" instead of \"RIFF\"...\"WAVE\"; streaming supports WAV and raw LINEAR16, FLOAT32, "
        "MULAW, ALAW"));
  }
  state_ = State::kChunkHeader;
  needed_ = kChunkHeaderBytes;
  return absl::OkStatus();
}

absl::Status WavHeaderParser::OnChunkHeader() {
  const std::string_view id(pending_.data(), 4);
  chunk_size_ = ReadU32(pending_, 4);
  if (id == "fmt ") {
    if (have_fmt_) return absl::InvalidArgumentError("WAV header has two fmt chunks; it needs one");
    if (chunk_size_ < kMinFmtBytes || chunk_size_ > kMaxFmtBytes) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "WAV fmt chunk has %u bytes; it needs %u..%u", chunk_size_, kMinFmtBytes, kMaxFmtBytes));
    }
    state_ = State::kChunkBody;
    needed_ = chunk_size_ + (chunk_size_ & 1);
    return absl::OkStatus();
  }
  if (id == "data") {
    if (!have_fmt_) {
      return absl::InvalidArgumentError(
          "WAV data chunk comes before the fmt chunk; the fmt chunk must come first");
    }
    format_.data_bytes =
        (chunk_size_ == 0 || chunk_size_ == 0xFFFFFFFFu) ? -1 : static_cast<long long>(chunk_size_);
    state_ = State::kDone;
    return absl::OkStatus();
  }
  skip_ = static_cast<std::uint64_t>(chunk_size_) + (chunk_size_ & 1);
  state_ = skip_ == 0 ? State::kChunkHeader : State::kSkip;
  needed_ = kChunkHeaderBytes;
  return absl::OkStatus();
}

absl::Status WavHeaderParser::OnFmt() {
  const std::string_view fmt(pending_.data(), chunk_size_);
  int tag = static_cast<int>(ReadU16(fmt, 0));
  const int channels = static_cast<int>(ReadU16(fmt, 2));
  const std::uint32_t rate = ReadU32(fmt, 4);
  const int block_align = static_cast<int>(ReadU16(fmt, 12));
  const int bits = static_cast<int>(ReadU16(fmt, 14));
  if (tag == kTagExtensible) {
    if (chunk_size_ < kExtensibleFmtBytes ||
        fmt.substr(26, kSubformatGuidTail.size()) != kSubformatGuidTail) {
      return absl::InvalidArgumentError(absl::StrCat(
          "WAVE_FORMAT_EXTENSIBLE header has no standard subformat GUID; ", kSupported));
    }
    tag = static_cast<int>(ReadU16(fmt, 24));
  }
  PcmFormat pcm;
  if (tag == kTagPcm && bits == 8) {
    pcm = PcmFormat::kUnsigned8;
  } else if (tag == kTagPcm && bits == 16) {
    pcm = PcmFormat::kSigned16;
  } else if (tag == kTagPcm && bits == 24) {
    pcm = PcmFormat::kSigned24;
  } else if (tag == kTagPcm && bits == 32) {
    pcm = PcmFormat::kSigned32;
  } else if (tag == kTagFloat && bits == 32) {
    pcm = PcmFormat::kFloat32;
  } else if (tag == kTagMulaw && bits == 8) {
    pcm = PcmFormat::kMulaw;
  } else if (tag == kTagAlaw && bits == 8) {
    pcm = PcmFormat::kAlaw;
  } else {
    return absl::InvalidArgumentError(
        absl::StrFormat("WAV format tag 0x%04X with %d bits per sample is not supported; %s", tag,
                        bits, kSupported));
  }
  if (channels < 1 || channels > kMaxChannels) {
    return absl::InvalidArgumentError(
        absl::StrFormat("the WAV header says %d channels; allowed 1..%d", channels, kMaxChannels));
  }
  if (rate < static_cast<std::uint32_t>(kMinSampleRateHz) ||
      rate > static_cast<std::uint32_t>(kMaxSampleRateHz)) {
    return absl::InvalidArgumentError(absl::StrFormat("the WAV header says %u Hz, outside %d..%d",
                                                      rate, kMinSampleRateHz, kMaxSampleRateHz));
  }
  const int frame_bytes = channels * BytesPerSample(pcm);
  if (block_align != frame_bytes) {
    return absl::InvalidArgumentError(
        absl::StrFormat("the WAV header says block_align %d; %d channels of %d-bit samples need %d",
                        block_align, channels, bits, frame_bytes));
  }
  format_.pcm = pcm;
  format_.sample_rate_hz = static_cast<int>(rate);
  format_.channel_count = channels;
  have_fmt_ = true;
  state_ = State::kChunkHeader;
  needed_ = kChunkHeaderBytes;
  return absl::OkStatus();
}

}  // namespace auris::dsp
