#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "dsp/audio_format.h"
#include "dsp/g711.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

using ::testing::HasSubstr;

// G.711 decoder output levels written from the standard's segment/step definition: mu-law
// (2q + 33) * 2^s - 33 on a +-8031 scale (x4 for 16 bits), all bits inverted, sign bit 1 =
// positive; A-law 2q + 1 (s = 0) or (2q + 33) * 2^(s-1) on a +-4032 scale (x8), even bits
// inverted, sign bit 1 = positive.
int StandardMulaw(int code) {
  const int bits = ~code & 0xFF;
  const int s = (bits >> 4) & 7;
  const int q = bits & 15;
  const int magnitude = ((2 * q + 33) * (1 << s) - 33) * 4;
  return (bits & 0x80) ? -magnitude : magnitude;
}

int StandardAlaw(int code) {
  const int bits = code ^ 0x55;
  const int s = (bits >> 4) & 7;
  const int q = bits & 15;
  const int magnitude = (s == 0 ? 2 * q + 1 : (2 * q + 33) * (1 << (s - 1))) * 8;
  return (bits & 0x80) ? magnitude : -magnitude;
}

std::vector<float> TestSignal(int n, int rate_hz) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double t = static_cast<double>(i) / rate_hz;
    x[i] = static_cast<float>(0.3 * std::sin(2 * M_PI * 300 * t) +
                              0.2 * std::sin(2 * M_PI * 700 * t + 0.5) +
                              0.1 * std::sin(2 * M_PI * 1500 * t + 1.0));
  }
  return x;
}

std::vector<float> RandomSignal(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(static_cast<std::size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

double Correlation(const std::vector<float>& a, const std::vector<float>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

void PutLe(std::uint32_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

// A WAV file with one fmt chunk (16 bytes) and `data`; `data_size` overrides the data chunk size.
std::string MakeWav(int tag, int bits, int channels, int rate_hz, const std::string& data,
                    long long data_size = -1) {
  std::string out = "RIFF";
  PutLe(static_cast<std::uint32_t>(4 + 24 + 8 + data.size()), 4, &out);
  out += "WAVEfmt ";
  PutLe(16, 4, &out);
  PutLe(static_cast<std::uint32_t>(tag), 2, &out);
  PutLe(static_cast<std::uint32_t>(channels), 2, &out);
  PutLe(static_cast<std::uint32_t>(rate_hz), 4, &out);
  PutLe(static_cast<std::uint32_t>(rate_hz * channels * bits / 8), 4, &out);
  PutLe(static_cast<std::uint32_t>(channels * bits / 8), 2, &out);
  PutLe(static_cast<std::uint32_t>(bits), 2, &out);
  out += "data";
  PutLe(
      static_cast<std::uint32_t>(data_size >= 0 ? data_size : static_cast<long long>(data.size())),
      4, &out);
  return out + data;
}

std::string Int16Bytes(const std::vector<int>& values) {
  std::string out;
  for (int v : values) PutLe(static_cast<std::uint16_t>(v), 2, &out);
  return out;
}

DecodedAudio DecodeOk(const std::string& bytes, AudioFormat format) {
  absl::StatusOr<DecodedAudio> audio = DecodeAudio(bytes, format);
  EXPECT_TRUE(audio.ok()) << audio.status();
  return audio.ok() ? *audio : DecodedAudio{};
}

std::string EncodeOk(const std::vector<float>& samples, int rate_hz, Encoding encoding) {
  absl::StatusOr<std::string> bytes = EncodeAudio(samples, rate_hz, encoding);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

void ExpectInvalid(const std::string& bytes, AudioFormat format, const std::string& message) {
  absl::StatusOr<DecodedAudio> audio = DecodeAudio(bytes, format);
  ASSERT_FALSE(audio.ok());
  EXPECT_EQ(audio.status().code(), absl::StatusCode::kInvalidArgument) << audio.status();
  EXPECT_THAT(std::string(audio.status().message()), HasSubstr(message));
}

TEST(G711Test, MulawKnownValues) {
  EXPECT_EQ(MulawToLinear(0xFF), 0);
  EXPECT_EQ(MulawToLinear(0x7F), 0);
  EXPECT_EQ(MulawToLinear(0x00), -32124);
  EXPECT_EQ(MulawToLinear(0x80), 32124);
  EXPECT_EQ(MulawToLinear(0xEF), 132);
  EXPECT_EQ(MulawToLinear(0xFE), 8);
  EXPECT_EQ(LinearToMulaw(0), 0xFF);
  EXPECT_EQ(LinearToMulaw(32767), 0x80);
  EXPECT_EQ(LinearToMulaw(-32768), 0x00);
}

TEST(G711Test, AlawKnownValues) {
  EXPECT_EQ(AlawToLinear(0xD5), 8);
  EXPECT_EQ(AlawToLinear(0x55), -8);
  EXPECT_EQ(AlawToLinear(0xD4), 24);
  EXPECT_EQ(AlawToLinear(0xAA), 32256);
  EXPECT_EQ(AlawToLinear(0x2A), -32256);
  EXPECT_EQ(LinearToAlaw(0), 0xD5);
  EXPECT_EQ(LinearToAlaw(-1), 0x55);
  EXPECT_EQ(LinearToAlaw(32767), 0xAA);
  EXPECT_EQ(LinearToAlaw(-32768), 0x2A);
}

TEST(G711Test, EveryCodeDecodesToTheStandardLevel) {
  for (int code = 0; code < 256; ++code) {
    EXPECT_EQ(MulawToLinear(static_cast<std::uint8_t>(code)), StandardMulaw(code)) << code;
    EXPECT_EQ(AlawToLinear(static_cast<std::uint8_t>(code)), StandardAlaw(code)) << code;
  }
}

TEST(G711Test, EncodingADecodedLevelGivesItsCodeBack) {
  for (int code = 0; code < 256; ++code) {
    const auto c = static_cast<std::uint8_t>(code);
    if (code != 0x7F) {
      EXPECT_EQ(LinearToMulaw(MulawToLinear(c)), c) << code;
    }
    EXPECT_EQ(LinearToAlaw(AlawToLinear(c)), c) << code;
  }
}

TEST(G711Test, QuantisationErrorIsWithinHalfAStepAndMonotonic) {
  int last_mulaw = -40000;
  int last_alaw = -40000;
  for (int x = -32768; x <= 32767; ++x) {
    const auto pcm = static_cast<std::int16_t>(x);
    const int mulaw = MulawToLinear(LinearToMulaw(pcm));
    const int alaw = AlawToLinear(LinearToAlaw(pcm));
    EXPECT_GE(mulaw, last_mulaw);
    EXPECT_GE(alaw, last_alaw);
    last_mulaw = mulaw;
    last_alaw = alaw;
    if (std::abs(x) <= 32000) {
      ASSERT_LE(std::abs(mulaw - x), std::abs(x) / 32 + 16) << x;
      ASSERT_LE(std::abs(alaw - x), std::abs(x) / 32 + 16) << x;
    }
  }
}

TEST(AudioCodecTest, EncodingNames) {
  EXPECT_EQ(EncodingName(Encoding::kLinear16), "LINEAR16");
  EXPECT_EQ(EncodingName(Encoding::kOggOpus), "OGG_OPUS");
  EXPECT_TRUE(IsRawEncoding(Encoding::kAlaw));
  EXPECT_FALSE(IsRawEncoding(Encoding::kWav));
  EXPECT_TRUE(IsStreamableEncoding(Encoding::kWav));
  EXPECT_FALSE(IsStreamableEncoding(Encoding::kFlac));
}

TEST(AudioCodecTest, Linear16RoundTripIsWithinOneStep) {
  const std::vector<float> x = RandomSignal(4000, 1);
  const std::string bytes = EncodeOk(x, 16000, Encoding::kLinear16);
  EXPECT_EQ(bytes.size(), 8000u);
  const DecodedAudio audio = DecodeOk(bytes, {Encoding::kLinear16, 16000, 1});
  ASSERT_EQ(audio.samples.size(), x.size());
  EXPECT_EQ(audio.sample_rate_hz, 16000);
  EXPECT_EQ(audio.encoding, Encoding::kLinear16);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_NEAR(audio.samples[i], x[i], 1.0 / 32768) << i;
  }
}

TEST(AudioCodecTest, Linear16DecodesLittleEndianSamples) {
  const DecodedAudio audio =
      DecodeOk(Int16Bytes({0, 1, -1, 32767, -32768, 16384}), {Encoding::kLinear16, 8000, 0});
  EXPECT_THAT(audio.samples, ::testing::ElementsAre(0.0f, 1.0f / 32768, -1.0f / 32768,
                                                    32767.0f / 32768, -1.0f, 0.5f));
}

TEST(AudioCodecTest, Float32RoundTripIsExactAndClipped) {
  std::vector<float> x = RandomSignal(1000, 2);
  x.push_back(1.5f);
  x.push_back(-2.0f);
  const DecodedAudio audio =
      DecodeOk(EncodeOk(x, 48000, Encoding::kFloat32), {Encoding::kFloat32, 48000, 1});
  ASSERT_EQ(audio.samples.size(), x.size());
  for (std::size_t i = 0; i + 2 < x.size(); ++i) ASSERT_EQ(audio.samples[i], x[i]) << i;
  EXPECT_EQ(audio.samples[x.size() - 2], 1.0f);
  EXPECT_EQ(audio.samples[x.size() - 1], -1.0f);
}

TEST(AudioCodecTest, G711RoundTripsAreWithinQuantisation) {
  const std::vector<float> x = RandomSignal(4000, 3);
  for (Encoding encoding : {Encoding::kMulaw, Encoding::kAlaw}) {
    const std::string bytes = EncodeOk(x, 8000, encoding);
    EXPECT_EQ(bytes.size(), x.size());
    const DecodedAudio audio = DecodeOk(bytes, {encoding, 8000, 1});
    ASSERT_EQ(audio.samples.size(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      ASSERT_NEAR(audio.samples[i], x[i], std::abs(x[i]) / 32 + 17.0 / 32768)
          << EncodingName(encoding) << " " << i;
    }
  }
}

TEST(AudioCodecTest, WavAndFlacRoundTripsAreExactAt16Bits) {
  const std::vector<float> x = RandomSignal(5000, 4);
  for (Encoding encoding : {Encoding::kWav, Encoding::kFlac}) {
    for (int rate : {8000, 16000, 44100}) {
      const DecodedAudio audio = DecodeOk(EncodeOk(x, rate, encoding), {});
      EXPECT_EQ(audio.encoding, encoding);
      EXPECT_EQ(audio.sample_rate_hz, rate);
      ASSERT_EQ(audio.samples.size(), x.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        const float expected = std::nearbyint(x[i] * 32768.0f) / 32768.0f;
        ASSERT_EQ(audio.samples[i], std::min(expected, 32767.0f / 32768)) << i;
      }
    }
  }
}

TEST(AudioCodecTest, LossyRoundTripsKeepLengthAndShape) {
  for (Encoding encoding : {Encoding::kOggVorbis, Encoding::kOggOpus}) {
    for (int rate : {8000, 16000, 48000}) {
      const std::vector<float> x = TestSignal(rate, rate);
      const DecodedAudio audio = DecodeOk(EncodeOk(x, rate, encoding), {encoding, rate, 1});
      EXPECT_EQ(audio.encoding, encoding);
      EXPECT_EQ(audio.sample_rate_hz, rate);
      EXPECT_NEAR(static_cast<double>(audio.samples.size()), static_cast<double>(x.size()),
                  rate / 50.0)
          << EncodingName(encoding) << " " << rate;
      EXPECT_GT(Correlation(x, audio.samples), 0.9) << EncodingName(encoding) << " " << rate;
    }
  }
}

TEST(AudioCodecTest, StereoIsAveragedToMono) {
  const std::string raw = Int16Bytes({1000, 3000, -2000, 2000, 32767, 32767});
  const DecodedAudio pcm = DecodeOk(raw, {Encoding::kLinear16, 16000, 2});
  EXPECT_THAT(pcm.samples, ::testing::ElementsAre(2000.0f / 32768, 0.0f, 32767.0f / 32768));
  const DecodedAudio wav = DecodeOk(MakeWav(1, 16, 2, 16000, raw), {});
  EXPECT_EQ(wav.samples, pcm.samples);
}

TEST(AudioCodecTest, WavSampleFormatsDecodeToTheSameScale) {
  std::string u8 = {'\x80', '\xC0', '\x00'};
  EXPECT_THAT(DecodeOk(MakeWav(1, 8, 1, 8000, u8), {}).samples,
              ::testing::ElementsAre(0.0f, 0.5f, -1.0f));
  std::string s24;
  PutLe(0x400000, 3, &s24);
  PutLe(0xC00000, 3, &s24);
  EXPECT_THAT(DecodeOk(MakeWav(1, 24, 1, 8000, s24), {}).samples,
              ::testing::ElementsAre(0.5f, -0.5f));
  std::string s32;
  PutLe(0x20000000, 4, &s32);
  EXPECT_THAT(DecodeOk(MakeWav(1, 32, 1, 8000, s32), {}).samples, ::testing::ElementsAre(0.25f));
  EXPECT_THAT(DecodeOk(MakeWav(7, 8, 1, 8000, std::string("\x00\xFF", 2)), {}).samples,
              ::testing::ElementsAre(-32124.0f / 32768, 0.0f));
  EXPECT_THAT(DecodeOk(MakeWav(6, 8, 1, 8000, std::string("\xD5\xAA", 2)), {}).samples,
              ::testing::ElementsAre(8.0f / 32768, 32256.0f / 32768));
}

TEST(AudioCodecTest, StreamingWavWithOpenDataSizeDecodesToTheEnd) {
  const std::string data = Int16Bytes({100, 200, 300, 400});
  for (long long size : {0LL, 0xFFFFFFFFLL}) {
    const DecodedAudio audio = DecodeOk(MakeWav(1, 16, 1, 16000, data, size), {});
    EXPECT_THAT(audio.samples, ::testing::ElementsAre(100.0f / 32768, 200.0f / 32768,
                                                      300.0f / 32768, 400.0f / 32768))
        << size;
  }
}

TEST(AudioCodecTest, DeclaredContainerMustMatchTheBytes) {
  const std::vector<float> x = TestSignal(8000, 8000);
  const std::string flac = EncodeOk(x, 8000, Encoding::kFlac);
  ExpectInvalid(flac, {Encoding::kWav, 0, 0}, "declared WAV but the audio is FLAC");
  ExpectInvalid(EncodeOk(x, 8000, Encoding::kOggVorbis), {Encoding::kOggOpus, 0, 0},
                "declared OGG_OPUS but the audio is OGG_VORBIS");
  ExpectInvalid(std::string(100, 'x'), {Encoding::kFlac, 0, 0},
                "declared FLAC but the first bytes are not a FLAC header (fLaC)");
  EXPECT_EQ(DecodeOk(flac, {Encoding::kFlac, 8000, 1}).samples.size(), x.size());
}

TEST(AudioCodecTest, BadInputErrorsSayWhatIsWrongAndWhatIsAllowed) {
  ExpectInvalid("", {}, "audio is empty");
  ExpectInvalid("", {Encoding::kLinear16, 16000, 1}, "audio is empty");
  ExpectInvalid(std::string(1001, '\0'), {Encoding::kLinear16, 16000, 1},
                "LINEAR16 audio has an odd byte count (1001); LINEAR16 needs 2 bytes per sample");
  ExpectInvalid(std::string(1001, '\0'), {Encoding::kFloat32, 16000, 1},
                "FLOAT32 audio has 1001 bytes, not a multiple of 4; FLOAT32 needs 4 bytes per "
                "sample");
  ExpectInvalid(std::string(1002, '\0'), {Encoding::kLinear16, 16000, 2},
                "LINEAR16 audio with 2 channels has 1002 bytes, not a multiple of the 4-byte "
                "frame");
  ExpectInvalid(std::string(100, 'x'), {},
                "unknown container: the first bytes are not WAV (RIFF), FLAC (fLaC) or OGG "
                "(OggS); set format.encoding for raw audio (LINEAR16, FLOAT32, MULAW, ALAW)");
  ExpectInvalid(std::string(100, '\0'), {Encoding::kLinear16, 96000, 1},
                "sample_rate_hertz 96000 is outside 8000..48000");
  ExpectInvalid(std::string(100, '\0'), {Encoding::kMulaw, 0, 1},
                "sample_rate_hertz is required for raw MULAW audio; allowed 8000..48000");
  ExpectInvalid(std::string(100, '\0'), {Encoding::kLinear16, 16000, 9},
                "channel_count 9 is outside 0..8");
  ExpectInvalid(MakeWav(1, 16, 1, 96000, Int16Bytes({1, 2})), {},
                "the WAV header says 96000 Hz, outside 8000..48000");
  ExpectInvalid(MakeWav(1, 16, 1, 16000, Int16Bytes({1, 2})), {Encoding::kWav, 8000, 1},
                "declared 8000 Hz but the WAV header says 16000 Hz");
  ExpectInvalid(std::string("RIFF\x10\x00\x00\x00WAVEjunkjunkjunk", 24), {},
                "corrupt or unsupported WAV file");
  ExpectInvalid(MakeWav(1, 16, 1, 16000, ""), {}, "the WAV file has no samples");
}

TEST(AudioCodecTest, EncoderRejectsWhatItCannotWrite) {
  const std::vector<float> x(160, 0.0f);
  absl::StatusOr<std::string> unspecified = EncodeAudio(x, 16000, Encoding::kUnspecified);
  ASSERT_FALSE(unspecified.ok());
  EXPECT_EQ(unspecified.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(unspecified.status().message()),
              HasSubstr("cannot encode to ENCODING_UNSPECIFIED; choose LINEAR16"));
  absl::StatusOr<std::string> opus = EncodeAudio(x, 22050, Encoding::kOggOpus);
  ASSERT_FALSE(opus.ok());
  EXPECT_EQ(opus.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(opus.status().message()),
              HasSubstr("OGG_OPUS cannot be written at 22050 Hz; Opus allows 8000, 12000, 16000, "
                        "24000 or 48000 Hz"));
  absl::StatusOr<std::string> slow = EncodeAudio(x, 4000, Encoding::kWav);
  ASSERT_FALSE(slow.ok());
  EXPECT_THAT(std::string(slow.status().message()),
              HasSubstr("sample_rate_hertz 4000 is outside 8000..48000"));
}

}  // namespace
}  // namespace auris::dsp
