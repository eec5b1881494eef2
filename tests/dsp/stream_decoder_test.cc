#include "dsp/stream_decoder.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kChunkSizes[] = {1, 7, 160, 3200};

void PutLe(std::uint32_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::string Chunk(std::string_view id, std::string_view body) {
  std::string out(id);
  PutLe(static_cast<std::uint32_t>(body.size()), 4, &out);
  out += body;
  if (body.size() % 2 == 1) out.push_back('\0');
  return out;
}

struct WavSpec {
  int tag = 1;
  int bits = 16;
  int channels = 1;
  int rate_hz = 16000;
  bool extensible = false;
  std::string before_fmt;  // whole chunks placed before / after the fmt chunk
  std::string after_fmt;
  long long data_size = -1;  // -1: the real size
  std::string after_data;
};

WavSpec Spec(int bits, int channels, int rate_hz) {
  WavSpec spec;
  spec.bits = bits;
  spec.channels = channels;
  spec.rate_hz = rate_hz;
  return spec;
}

std::string MakeWav(const WavSpec& spec, const std::string& data) {
  std::string fmt;
  PutLe(spec.extensible ? 0xFFFE : static_cast<std::uint32_t>(spec.tag), 2, &fmt);
  PutLe(static_cast<std::uint32_t>(spec.channels), 2, &fmt);
  PutLe(static_cast<std::uint32_t>(spec.rate_hz), 4, &fmt);
  const int block = spec.channels * spec.bits / 8;
  PutLe(static_cast<std::uint32_t>(spec.rate_hz * block), 4, &fmt);
  PutLe(static_cast<std::uint32_t>(block), 2, &fmt);
  PutLe(static_cast<std::uint32_t>(spec.bits), 2, &fmt);
  if (spec.extensible) {
    PutLe(22, 2, &fmt);
    PutLe(static_cast<std::uint32_t>(spec.bits), 2, &fmt);
    PutLe(spec.channels == 1 ? 0x4 : 0x3, 4, &fmt);
    PutLe(static_cast<std::uint32_t>(spec.tag), 4, &fmt);
    fmt += std::string("\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 12);
  }
  std::string body = "WAVE" + spec.before_fmt + Chunk("fmt ", fmt) + spec.after_fmt + "data";
  PutLe(static_cast<std::uint32_t>(spec.data_size >= 0 ? spec.data_size
                                                       : static_cast<long long>(data.size())),
        4, &body);
  body += data;
  if (spec.data_size < 0 && data.size() % 2 == 1) body.push_back('\0');
  body += spec.after_data;
  std::string out = "RIFF";
  PutLe(static_cast<std::uint32_t>(body.size()), 4, &out);
  return out + body;
}

std::string RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xFF);
  return out;
}

std::string RandomFloatBytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.2f, 1.2f);
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    const float v = dist(rng);
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    PutLe(bits, 4, &out);
  }
  return out;
}

absl::StatusOr<std::vector<float>> StreamInChunks(const std::string& bytes,
                                                  const AudioFormat& format, std::size_t chunk) {
  absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder = StreamDecoder::Create(format);
  if (!decoder.ok()) return decoder.status();
  std::vector<float> out;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    absl::Status status = (*decoder)->Accept(std::string_view(bytes).substr(at, chunk), &out);
    if (!status.ok()) return status;
  }
  if (absl::Status status = (*decoder)->Finish(); !status.ok()) return status;
  if ((*decoder)->samples_out() != static_cast<long long>(out.size())) {
    return absl::InternalError("samples_out() disagrees with the samples produced");
  }
  return out;
}

void ExpectSameAsWholeDecode(const std::string& bytes, const AudioFormat& format,
                             std::size_t expected_samples, const std::string& label) {
  absl::StatusOr<DecodedAudio> whole = DecodeAudio(bytes, format);
  ASSERT_TRUE(whole.ok()) << label << ": " << whole.status();
  ASSERT_EQ(whole->samples.size(), expected_samples) << label;
  for (std::size_t chunk : kChunkSizes) {
    absl::StatusOr<std::vector<float>> streamed = StreamInChunks(bytes, format, chunk);
    ASSERT_TRUE(streamed.ok()) << label << ", chunk " << chunk << ": " << streamed.status();
    EXPECT_EQ(*streamed, whole->samples) << label << ", chunk " << chunk;
  }
}

TEST(StreamDecoderTest, RawEncodingsMatchTheWholeBufferDecoder) {
  struct Case {
    Encoding encoding;
    int sample_bytes;
  };
  for (Case c : {Case{Encoding::kLinear16, 2}, Case{Encoding::kFloat32, 4},
                 Case{Encoding::kMulaw, 1}, Case{Encoding::kAlaw, 1}}) {
    for (int channels : {1, 2, 3}) {
      const std::size_t frames = 4001;
      const std::size_t n = frames * channels * c.sample_bytes;
      const std::string bytes = c.encoding == Encoding::kFloat32
                                    ? RandomFloatBytes(n / 4, 10 + channels)
                                    : RandomBytes(n, 20 + channels);
      ExpectSameAsWholeDecode(
          bytes, {c.encoding, 16000, channels}, frames,
          std::string(EncodingName(c.encoding)) + " x" + std::to_string(channels));
    }
  }
}

TEST(StreamDecoderTest, WavSampleFormatsMatchTheWholeBufferDecoder) {
  struct Case {
    int tag;
    int bits;
    bool extensible;
  };
  const Case cases[] = {{1, 8, false},  {1, 16, false}, {1, 24, false}, {1, 32, false},
                        {3, 32, false}, {7, 8, false},  {6, 8, false},  {1, 16, true},
                        {1, 24, true},  {3, 32, true},  {7, 8, true}};
  for (const Case& c : cases) {
    for (int channels : {1, 2}) {
      WavSpec spec;
      spec.tag = c.tag;
      spec.bits = c.bits;
      spec.extensible = c.extensible;
      spec.channels = channels;
      const std::size_t frames = 3001;
      const std::size_t n = frames * channels * c.bits / 8;
      const std::string data = c.tag == 3 ? RandomFloatBytes(n / 4, 30) : RandomBytes(n, 31);
      const std::string label = "tag " + std::to_string(c.tag) + " bits " + std::to_string(c.bits) +
                                (c.extensible ? " ext" : "") + " x" + std::to_string(channels);
      ExpectSameAsWholeDecode(MakeWav(spec, data), {}, frames, label);
      ExpectSameAsWholeDecode(MakeWav(spec, data), {Encoding::kWav, 16000, 0}, frames, label);
    }
  }
}

TEST(StreamDecoderTest, WavLayoutsMatchTheWholeBufferDecoder) {
  const std::string data = RandomBytes(2 * 2501, 40);
  WavSpec list;
  list.before_fmt = Chunk("LIST", std::string("INFOISFT\x06\x00\x00\x00writer", 18));
  ExpectSameAsWholeDecode(MakeWav(list, data), {}, 2501, "LIST before fmt");
  WavSpec fact;
  fact.after_fmt = Chunk("fact", std::string(4, '\x01'));
  ExpectSameAsWholeDecode(MakeWav(fact, data), {}, 2501, "fact after fmt");
  WavSpec odd;
  odd.after_fmt = Chunk("junk", "abc");
  ExpectSameAsWholeDecode(MakeWav(odd, data), {}, 2501, "odd-sized chunk");
  WavSpec trailing;
  trailing.after_data = Chunk("LIST", "INFOtrailing chunk");
  ExpectSameAsWholeDecode(MakeWav(trailing, data), {}, 2501, "trailing chunk");
  ExpectSameAsWholeDecode(MakeWav(Spec(8, 1, 16000), data.substr(0, 2501)), {}, 2501,
                          "odd data size with pad byte");
  for (long long open_size : {0LL, 0xFFFFFFFFLL}) {
    WavSpec open;
    open.data_size = open_size;
    ExpectSameAsWholeDecode(MakeWav(open, data), {}, 2501,
                            "open data size " + std::to_string(open_size));
  }
}

TEST(StreamDecoderTest, EncodedWavMatchesTheWholeBufferDecoder) {
  std::vector<float> x(8000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.4f * std::sin(0.05f * i);
  absl::StatusOr<std::string> wav = EncodeAudio(x, 8000, Encoding::kWav);
  ASSERT_TRUE(wav.ok());
  ExpectSameAsWholeDecode(*wav, {}, x.size(), "EncodeAudio WAV");
}

TEST(StreamDecoderTest, RateIsKnownOnceTheHeaderIsParsed) {
  const std::string wav = MakeWav(Spec(16, 1, 22050), RandomBytes(200, 50));
  absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder = StreamDecoder::Create({});
  ASSERT_TRUE(decoder.ok());
  std::vector<float> out;
  ASSERT_TRUE((*decoder)->Accept(std::string_view(wav).substr(0, 30), &out).ok());
  EXPECT_EQ((*decoder)->sample_rate_hz(), 0);
  ASSERT_TRUE((*decoder)->Accept(std::string_view(wav).substr(30), &out).ok());
  EXPECT_EQ((*decoder)->sample_rate_hz(), 22050);
  EXPECT_EQ((*decoder)->samples_out(), 100);
  EXPECT_TRUE((*decoder)->Finish().ok());

  absl::StatusOr<std::unique_ptr<StreamDecoder>> raw =
      StreamDecoder::Create({Encoding::kMulaw, 8000, 1});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ((*raw)->sample_rate_hz(), 8000);
}

TEST(StreamDecoderTest, CreateRejectsEncodingsThatDoNotStream) {
  for (Encoding encoding : {Encoding::kFlac, Encoding::kOggVorbis, Encoding::kOggOpus}) {
    absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder =
        StreamDecoder::Create({encoding, 16000, 1});
    ASSERT_FALSE(decoder.ok());
    EXPECT_EQ(decoder.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_THAT(std::string(decoder.status().message()),
                HasSubstr("streaming supports LINEAR16, FLOAT32, MULAW, ALAW and WAV"));
  }
  const std::pair<AudioFormat, std::string> invalid[] = {
      {{Encoding::kLinear16, 0, 1}, "sample_rate_hertz is required for raw LINEAR16 audio"},
      {{Encoding::kFloat32, 96000, 1}, "sample_rate_hertz 96000 is outside 8000..48000"},
      {{Encoding::kLinear16, 16000, -1}, "channel_count -1 is outside 0..8"},
      {{Encoding::kWav, 4000, 1}, "sample_rate_hertz 4000 is outside 8000..48000"},
  };
  for (const auto& [format, message] : invalid) {
    absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder = StreamDecoder::Create(format);
    ASSERT_FALSE(decoder.ok());
    EXPECT_EQ(decoder.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(decoder.status().message()), HasSubstr(message));
  }
}

TEST(StreamDecoderTest, BadWavHeadersAreRejectedAndTheDecoderStaysFailed) {
  WavSpec adpcm;
  adpcm.tag = 2;
  adpcm.bits = 4;
  const std::pair<std::string, std::string> cases[] = {
      {"fLaC" + std::string(60, '\0'), "not a WAV stream"},
      {MakeWav(adpcm, "xx"), "WAV format tag 0x0002 with 4 bits per sample is not supported"},
      {MakeWav(Spec(16, 1, 96000), "xx"), "the WAV header says 96000 Hz, outside"},
      {MakeWav(Spec(16, 9, 16000), std::string(18, '\0')),
       "the WAV header says 9 channels; allowed 1..8"},
  };
  for (const auto& [bytes, message] : cases) {
    for (std::size_t chunk : kChunkSizes) {
      absl::StatusOr<std::vector<float>> out = StreamInChunks(bytes, {}, chunk);
      ASSERT_FALSE(out.ok()) << message;
      EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(out.status().message()), HasSubstr(message));
    }
  }
  absl::StatusOr<std::unique_ptr<StreamDecoder>> decoder = StreamDecoder::Create({});
  ASSERT_TRUE(decoder.ok());
  std::vector<float> out;
  EXPECT_FALSE((*decoder)->Accept("OggS" + std::string(40, '\0'), &out).ok());
  EXPECT_FALSE((*decoder)->Accept(MakeWav(WavSpec{}, "\x01\x02"), &out).ok());
  EXPECT_FALSE((*decoder)->Finish().ok());
  EXPECT_TRUE(out.empty());
}

TEST(StreamDecoderTest, DeclaredRateMustMatchTheWavHeader) {
  absl::StatusOr<std::vector<float>> out =
      StreamInChunks(MakeWav(WavSpec{}, "\x01\x02"), {Encoding::kWav, 8000, 1}, 7);
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(std::string(out.status().message()),
              HasSubstr("declared 8000 Hz but the WAV header says 16000 Hz"));
}

TEST(StreamDecoderTest, FinishReportsLeftoversAndMissingAudio) {
  WavSpec open;
  open.data_size = 0;
  const std::pair<std::pair<std::string, AudioFormat>, std::string> cases[] = {
      {{"", {Encoding::kLinear16, 16000, 1}}, "audio is empty"},
      {{"", {}}, "audio is empty"},
      {{std::string(1001, '\0'), {Encoding::kLinear16, 16000, 1}},
       "LINEAR16 audio has an odd byte count (1001); LINEAR16 needs 2 bytes per sample"},
      {{std::string(6, '\0'), {Encoding::kFloat32, 16000, 1}},
       "FLOAT32 audio has 6 bytes, not a multiple of 4"},
      {{std::string(9, '\0'), {Encoding::kMulaw, 8000, 2}},
       "MULAW audio with 2 channels has 9 bytes, not a multiple of the 2-byte frame"},
      {{MakeWav(WavSpec{}, "").substr(0, 30), {}},
       "the WAV header is incomplete: the stream ended after 30 bytes"},
      {{MakeWav(WavSpec{}, ""), {}}, "the WAV data chunk has no samples"},
      {{MakeWav(open, "\x01\x02\x03"), {}},
       "the WAV data has 3 bytes, not a multiple of the 2-byte frame"},
  };
  for (const auto& [input, message] : cases) {
    absl::StatusOr<std::vector<float>> out = StreamInChunks(input.first, input.second, 160);
    ASSERT_FALSE(out.ok()) << message;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(out.status().message()), HasSubstr(message));
  }
}

}  // namespace
}  // namespace auris::dsp
