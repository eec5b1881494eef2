#include "dsp/stream_decoder.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "dsp/g711.h"
#include "dsp/wav_header.h"

namespace auris::dsp {
namespace {

constexpr float kScale8 = 1.0f / 128.0f;
constexpr float kScale16 = 1.0f / 32768.0f;
constexpr float kScale24 = 1.0f / 8388608.0f;
constexpr float kScale32 = 1.0f / 2147483648.0f;

std::uint32_t LoadLe(const unsigned char* p, int bytes) {
  std::uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

float DecodeSample(PcmFormat format, const unsigned char* p) {
  switch (format) {
    case PcmFormat::kUnsigned8:
      return static_cast<float>(static_cast<int>(p[0]) - 128) * kScale8;
    case PcmFormat::kSigned16:
      return static_cast<float>(static_cast<std::int16_t>(LoadLe(p, 2))) * kScale16;
    case PcmFormat::kSigned24:
      return static_cast<float>(static_cast<std::int32_t>(LoadLe(p, 3) << 8) >> 8) * kScale24;
    case PcmFormat::kSigned32:
      return static_cast<float>(static_cast<std::int32_t>(LoadLe(p, 4))) * kScale32;
    case PcmFormat::kFloat32:
      return std::bit_cast<float>(LoadLe(p, 4));
    case PcmFormat::kMulaw:
      return static_cast<float>(MulawToLinear(p[0])) * kScale16;
    case PcmFormat::kAlaw:
      return static_cast<float>(AlawToLinear(p[0])) * kScale16;
  }
  return 0.0f;
}

PcmFormat RawPcmFormat(Encoding encoding) {
  switch (encoding) {
    case Encoding::kFloat32:
      return PcmFormat::kFloat32;
    case Encoding::kMulaw:
      return PcmFormat::kMulaw;
    case Encoding::kAlaw:
      return PcmFormat::kAlaw;
    default:
      return PcmFormat::kSigned16;
  }
}

absl::Status CheckDeclaredRate(const AudioFormat& format) {
  if (format.sample_rate_hz != 0 &&
      (format.sample_rate_hz < kMinSampleRateHz || format.sample_rate_hz > kMaxSampleRateHz)) {
    return absl::InvalidArgumentError(absl::StrFormat("sample_rate_hertz %d is outside %d..%d",
                                                      format.sample_rate_hz, kMinSampleRateHz,
                                                      kMaxSampleRateHz));
  }
  return absl::OkStatus();
}

}  // namespace

struct StreamDecoder::Impl {
  Encoding encoding = Encoding::kUnspecified;
  int declared_rate_hz = 0;
  WavHeaderParser header;
  bool header_done = false;
  PcmFormat pcm = PcmFormat::kSigned16;
  int sample_rate_hz = 0;
  int channel_count = 1;
  int frame_bytes = 2;
  long long data_left = -1;
  long long header_bytes = 0;
  long long data_bytes = 0;
  long long samples_out = 0;
  std::string partial;
  std::vector<float> interleaved;
  absl::Status failure;

  bool is_wav() const { return !IsRawEncoding(encoding); }
  void SetLayout(PcmFormat format, int rate_hz, int channels);
  absl::Status StartData();
  void DecodeFrames(std::string_view bytes, std::vector<float>* out);
  void DecodeData(std::string_view bytes, std::vector<float>* out);
  std::string PartialFrameError() const;
};

void StreamDecoder::Impl::SetLayout(PcmFormat format, int rate_hz, int channels) {
  pcm = format;
  sample_rate_hz = rate_hz;
  channel_count = std::max(channels, 1);
  frame_bytes = channel_count * BytesPerSample(pcm);
  partial.reserve(static_cast<std::size_t>(frame_bytes));
}

absl::Status StreamDecoder::Impl::StartData() {
  const WavFormat& wav = header.format();
  if (declared_rate_hz != 0 && declared_rate_hz != wav.sample_rate_hz) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "declared %d Hz but the WAV header says %d Hz", declared_rate_hz, wav.sample_rate_hz));
  }
  SetLayout(wav.pcm, wav.sample_rate_hz, wav.channel_count);
  data_left = wav.data_bytes;
  header_done = true;
  return absl::OkStatus();
}

void StreamDecoder::Impl::DecodeFrames(std::string_view bytes, std::vector<float>* out) {
  const std::size_t samples = bytes.size() / static_cast<std::size_t>(BytesPerSample(pcm));
  if (interleaved.size() < samples) interleaved.resize(samples);
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const int step = BytesPerSample(pcm);
  for (std::size_t i = 0; i < samples; ++i) interleaved[i] = DecodeSample(pcm, p + i * step);
  const std::size_t before = out->size();
  AppendMono(std::span<const float>(interleaved.data(), samples), channel_count, out);
  samples_out += static_cast<long long>(out->size() - before);
}

void StreamDecoder::Impl::DecodeData(std::string_view bytes, std::vector<float>* out) {
  if (data_left >= 0) {
    bytes = bytes.substr(0, static_cast<std::size_t>(std::min<long long>(
                                data_left, static_cast<long long>(bytes.size()))));
    data_left -= static_cast<long long>(bytes.size());
  }
  data_bytes += static_cast<long long>(bytes.size());
  const auto frame = static_cast<std::size_t>(frame_bytes);
  if (!partial.empty()) {
    const std::size_t take = std::min(frame - partial.size(), bytes.size());
    partial.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (partial.size() < frame) return;
    DecodeFrames(partial, out);
    partial.clear();
  }
  const std::size_t whole = bytes.size() / frame * frame;
  DecodeFrames(bytes.substr(0, whole), out);
  partial.assign(bytes.substr(whole));
}

std::string StreamDecoder::Impl::PartialFrameError() const {
  const int sample_bytes = BytesPerSample(pcm);
  if (is_wav()) {
    return absl::StrFormat(
        "the WAV data has %d bytes, not a multiple of the %d-byte frame (%d channels of %d "
        "bytes)",
        data_bytes, frame_bytes, channel_count, sample_bytes);
  }
  const std::string_view name = EncodingName(encoding);
  if (channel_count > 1) {
    return absl::StrFormat(
        "%s audio with %d channels has %d bytes, not a multiple of the %d-byte frame; %s needs "
        "%d bytes per sample and channel",
        name, channel_count, data_bytes, frame_bytes, name, sample_bytes);
  }
  if (sample_bytes == 2) {
    return absl::StrFormat("%s audio has an odd byte count (%d); %s needs 2 bytes per sample", name,
                           data_bytes, name);
  }
  return absl::StrFormat(
      "%s audio has %d bytes, not a multiple of %d; %s needs %d bytes per sample", name, data_bytes,
      sample_bytes, name, sample_bytes);
}

absl::StatusOr<std::unique_ptr<StreamDecoder>> StreamDecoder::Create(const AudioFormat& format) {
  if (format.channel_count < 0 || format.channel_count > kMaxChannels) {
    return absl::InvalidArgumentError(
        absl::StrFormat("channel_count %d is outside 0..%d", format.channel_count, kMaxChannels));
  }
  const Encoding encoding = format.encoding;
  const std::string_view name = EncodingName(encoding);
  if (name == "UNKNOWN_ENCODING") {
    return absl::InvalidArgumentError(absl::StrFormat(
        "unknown encoding %d; streaming supports LINEAR16, FLOAT32, MULAW, ALAW and WAV",
        static_cast<int>(encoding)));
  }
  if (encoding != Encoding::kUnspecified && !IsStreamableEncoding(encoding)) {
    return absl::UnimplementedError(absl::StrFormat(
        "%s audio cannot be decoded as it streams; streaming supports LINEAR16, FLOAT32, MULAW, "
        "ALAW and WAV (send %s to the non-streaming Recognize)",
        name, name));
  }
  if (absl::Status status = CheckDeclaredRate(format); !status.ok()) return status;
  auto impl = std::make_unique<Impl>();
  impl->encoding = encoding;
  impl->declared_rate_hz = format.sample_rate_hz;
  if (IsRawEncoding(encoding)) {
    if (format.sample_rate_hz == 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("sample_rate_hertz is required for raw %s audio; allowed %d..%d", name,
                          kMinSampleRateHz, kMaxSampleRateHz));
    }
    impl->SetLayout(RawPcmFormat(encoding), format.sample_rate_hz, format.channel_count);
    impl->header_done = true;
  }
  return std::unique_ptr<StreamDecoder>(new StreamDecoder(std::move(impl)));
}

StreamDecoder::StreamDecoder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamDecoder::~StreamDecoder() = default;

absl::Status StreamDecoder::Accept(std::string_view bytes, std::vector<float>* out) {
  Impl& s = *impl_;
  if (!s.failure.ok()) return s.failure;
  if (!s.header_done) {
    std::size_t consumed = 0;
    absl::StatusOr<bool> done = s.header.Consume(bytes, &consumed);
    s.header_bytes += static_cast<long long>(consumed);
    if (done.ok() && *done) {
      if (absl::Status started = s.StartData(); !started.ok()) done = started;
    }
    if (!done.ok()) {
      s.failure = done.status();
      return s.failure;
    }
    if (!*done) return absl::OkStatus();
    bytes.remove_prefix(consumed);
  }
  s.DecodeData(bytes, out);
  return absl::OkStatus();
}

absl::Status StreamDecoder::Finish() {
  Impl& s = *impl_;
  if (!s.failure.ok()) return s.failure;
  if (!s.header_done) {
    if (s.header_bytes == 0) return absl::InvalidArgumentError("audio is empty");
    return absl::InvalidArgumentError(absl::StrFormat(
        "the WAV header is incomplete: the stream ended after %d bytes, before the data chunk",
        s.header_bytes));
  }
  if (!s.partial.empty()) return absl::InvalidArgumentError(s.PartialFrameError());
  if (s.data_bytes == 0) {
    return absl::InvalidArgumentError(s.is_wav() ? "the WAV data chunk has no samples"
                                                 : "audio is empty");
  }
  return absl::OkStatus();
}

int StreamDecoder::sample_rate_hz() const { return impl_->header_done ? impl_->sample_rate_hz : 0; }

long long StreamDecoder::samples_out() const { return impl_->samples_out; }

}  // namespace auris::dsp
