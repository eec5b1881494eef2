#include "dsp/noise_suppressor.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "dsp/quality_metrics.h"
#include "gtest/gtest.h"
#include "tests/dsp/test_audio.h"

namespace auris::dsp {
namespace {

using testing_audio::Energy;
using testing_audio::HaveTool;
using testing_audio::ReadAudio16k;
using testing_audio::Speak;
using testing_audio::Tile;
using testing_audio::White;

constexpr int kRate = 16000;

// Voss-McCartney pink noise (16 octave rows plus a white row).
std::vector<float> Pink(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  constexpr int kRows = 16;
  float rows[kRows];
  float sum = 0.0f;
  for (float& r : rows) sum += (r = dist(rng));
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned k = static_cast<unsigned>(i + 1);
    const int row = std::min(__builtin_ctz(k), kRows - 1);
    sum -= rows[row];
    sum += (rows[row] = dist(rng));
    x[i] = sum + dist(rng);
  }
  return x;
}

std::vector<float> Mix(const std::vector<float>& clean, const std::vector<float>& noise,
                       double snr_db) {
  const double gain = std::sqrt(Energy(clean) / Energy(noise) / std::pow(10.0, snr_db / 10.0));
  std::vector<float> y(clean.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = clean[i] + static_cast<float>(gain) * noise[i];
  return y;
}

std::vector<float> Enhance(const std::vector<float>& x, const NoiseSuppressorConfig& config = {}) {
  auto ns = NoiseSuppressor::Create(config);
  EXPECT_TRUE(ns.ok()) << ns.status();
  std::vector<float> y;
  (*ns)->Accept(x, &y);
  (*ns)->Flush(&y);
  return std::vector<float>(y.begin() + (*ns)->DelaySamples(), y.end());
}

// ~12 s of espeak-ng speech from three voices with short pauses (exact digital silence).
const std::vector<float>& CleanSpeech() {
  static const auto* speech = [] {
    auto* s = new std::vector<float>;
    const std::pair<const char*, const char*> kSentences[] = {
        {"en-us", "The birch canoe slid on the smooth planks."},
        {"en-gb", "Glue the sheet to the dark blue background."},
        {"en+f3", "It is easy to tell the depth of a well."},
        {"en-us", "These days a chicken leg is a rare dish."},
        {"en-gb", "Rice is often served in round bowls."}};
    for (const auto& [voice, text] : kSentences) {
      const std::vector<float> part = Speak(text, voice, 150);
      if (part.empty()) return s->clear(), s;
      s->insert(s->end(), part.begin(), part.end());
      s->insert(s->end(), kRate / 4, 0.0f);
    }
    return s;
  }();
  return *speech;
}

// Six talkers (other sentences and voices) at equal level, pauses removed, time-shifted.
std::vector<float> Babble(std::size_t n) {
  testing_audio::BabbleSpec spec;
  spec.texts = {"The juice of lemons makes fine punch.",
                "The box was thrown beside the parked truck.",
                "The hogs were fed chopped corn and garbage.",
                "Four hours of steady work faced us.",
                "A large size in stockings is hard to sell.",
                "The boy was there when the sun rose.",
                "A rod is used to catch pink salmon.",
                "The source of the huge river is the clear spring."};
  spec.voices = {"en-us", "en+f3", "en-gb", "en+m3", "en+f2", "en-us+f4"};
  spec.per_talker = 3;
  spec.base_speed = 140;
  spec.speed_step = 10;
  spec.seed = 7;
  return testing_audio::Babble(n, spec);
}

struct Score {
  double in_db;
  double out_db;
};

Score Evaluate(const std::vector<float>& clean, const std::vector<float>& noise, double snr) {
  const std::vector<float> noisy = Mix(clean, noise, snr);
  const std::vector<float> enhanced = Enhance(noisy);
  return {SiSdrDb(clean, noisy), SiSdrDb(clean, enhanced)};
}

// Mean SI-SDR improvement over 0, 5 and 10 dB SNR; prints one table row.
double MeanImprovement(const std::string& name, const std::vector<float>& noise) {
  const std::vector<float>& clean = CleanSpeech();
  double sum = 0.0;
  std::string row = "| " + name + " |";
  for (double snr : {0.0, 5.0, 10.0}) {
    const Score s = Evaluate(clean, noise, snr);
    sum += s.out_db - s.in_db;
    char cell[64];
    std::snprintf(cell, sizeof(cell), " %.2f -> %.2f (%+.2f) |", s.in_db, s.out_db,
                  s.out_db - s.in_db);
    row += cell;
  }
  char mean[32];
  std::snprintf(mean, sizeof(mean), " %+.2f |", sum / 3.0);
  std::printf("%s%s\n", row.c_str(), mean);
  return sum / 3.0;
}

class NoiseSuppressorQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveTool("espeak-ng") || !HaveTool("sox") || CleanSpeech().empty()) {
      GTEST_SKIP() << "espeak-ng and sox are needed to synthesise test speech";
    }
  }
};

TEST(NoiseSuppressorConfigTest, ValidateNamesFieldAndRange) {
  NoiseSuppressorConfig c;
  EXPECT_TRUE(c.Validate().ok());
  c.min_gain_db = -60.0f;
  absl::Status s = c.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("min_gain_db"), std::string_view::npos) << s;
  EXPECT_NE(s.message().find("-40"), std::string_view::npos) << s;
  c = NoiseSuppressorConfig();
  c.hop_ms = 5.0f;
  EXPECT_NE(c.Validate().message().find("hop_ms"), std::string_view::npos);
  c = NoiseSuppressorConfig();
  c.sample_rate_hz = 4000;
  EXPECT_FALSE(NoiseSuppressor::Create(c).ok());
  EXPECT_NE(NoiseSuppressorConfig().ToString().find("min_gain_db=-20"), std::string::npos);
}

TEST(NoiseSuppressorTest, DelayAndFlushLength) {
  auto ns = NoiseSuppressor::Create({});
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ((*ns)->DelaySamples(), 160);
  for (std::size_t n : {0u, 1u, 159u, 160u, 161u, 1234u}) {
    std::vector<float> out;
    const std::vector<float> x = White(n, 1);
    (*ns)->Accept(x, &out);
    (*ns)->Flush(&out);
    EXPECT_EQ(out.size(), n + 160) << n;
  }
}

TEST(NoiseSuppressorTest, OutputDoesNotDependOnChunking) {
  std::vector<float> x = White(kRate * 2, 3);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = 0.05f * x[i] + 0.3f * std::sin(0.07f * i) * (i % 8000 < 4000 ? 1.0f : 0.0f);
  }
  const std::vector<float> whole = Enhance(x);
  for (std::size_t chunk : {1u, 7u, 160u, 1600u}) {
    auto ns = NoiseSuppressor::Create({});
    std::vector<float> y;
    for (std::size_t i = 0; i < x.size(); i += chunk) {
      (*ns)->Accept(std::span<const float>(x).subspan(i, std::min(chunk, x.size() - i)), &y);
    }
    (*ns)->Flush(&y);
    ASSERT_EQ(std::vector<float>(y.begin() + 160, y.end()), whole) << "chunk " << chunk;
  }
}

TEST(NoiseSuppressorTest, ResetRestoresInitialState) {
  const std::vector<float> x = White(8000, 4);
  auto ns = NoiseSuppressor::Create({});
  std::vector<float> a, b;
  (*ns)->Accept(x, &a);
  (*ns)->Reset();
  (*ns)->Accept(x, &b);
  EXPECT_EQ(a, b);
}

TEST(NoiseSuppressorTest, SilenceAndClippingStayFinite) {
  const std::vector<float> silence(kRate * 2, 0.0f);
  for (float v : Enhance(silence)) ASSERT_EQ(v, 0.0f);
  std::vector<float> clipped(kRate * 2);
  for (std::size_t i = 0; i < clipped.size(); ++i) {
    clipped[i] = std::clamp(5.0f * std::sin(0.01f * i), -1.0f, 1.0f);
  }
  std::vector<float> noisy_clipped = White(kRate * 2, 5);
  for (float& v : noisy_clipped) v = std::clamp(v, -1.0f, 1.0f);
  for (const auto* x : {&clipped, &noisy_clipped}) {
    for (float v : Enhance(*x)) {
      ASSERT_TRUE(std::isfinite(v));
      ASSERT_LE(std::abs(v), 2.0f);
    }
  }
}

TEST(NoiseSuppressorTest, RetracksNoiseStepWithinOneSecond) {
  std::vector<float> x = White(kRate * 10, 6);
  const float before = 0.01f;
  const float after = before * std::sqrt(10.0f);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] *= i < x.size() / 2 ? before : after;
  auto ns = NoiseSuppressor::Create({});
  std::vector<float> y;
  (*ns)->Accept(std::span<const float>(x).first(kRate * 5), &y);
  EXPECT_NEAR((*ns)->NoiseLevelDb(), 20.0f * std::log10(before), 3.0f);
  (*ns)->Accept(std::span<const float>(x).subspan(kRate * 5, kRate), &y);
  std::printf("noise step +10 dB: estimate %.2f dBFS 1 s after, true %.2f\n", (*ns)->NoiseLevelDb(),
              20.0f * std::log10(after));
  EXPECT_NEAR((*ns)->NoiseLevelDb(), 20.0f * std::log10(after), 3.0f);
}

TEST_F(NoiseSuppressorQualityTest, RetracksNoiseStepUnderSpeech) {
  const std::vector<float>& clean = CleanSpeech();
  std::vector<float> noise = White(clean.size(), 8);
  const std::size_t step = clean.size() / 2;
  const float scale = static_cast<float>(std::sqrt(Energy(clean) / Energy(noise)));  // 0 dB
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] *= i < step ? scale : scale * 3.1623f;
  std::vector<float> x(clean.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = clean[i] + noise[i];
  auto ns = NoiseSuppressor::Create({});
  std::vector<float> y;
  (*ns)->Accept(std::span<const float>(x).first(step + kRate), &y);
  std::printf("noise step +10 dB under speech: estimate %.2f dBFS 1 s after, true %.2f\n",
              (*ns)->NoiseLevelDb(), 20.0f * std::log10(scale * 3.1623f));
  EXPECT_NEAR((*ns)->NoiseLevelDb(), 20.0f * std::log10(scale * 3.1623f), 3.0f);
}

TEST_F(NoiseSuppressorQualityTest, ImprovesSiSdrOnSyntheticNoise) {
  const std::vector<float>& clean = CleanSpeech();
  std::printf("| noise | 0 dB: in -> out (gain) | 5 dB | 10 dB | mean gain |\n");
  std::printf("|---|---|---|---|---|\n");
  EXPECT_GE(MeanImprovement("white", White(clean.size(), 11)), 2.0);
  EXPECT_GE(MeanImprovement("pink", Pink(clean.size(), 12)), 2.0);
  const std::vector<float> babble = Babble(clean.size());
  ASSERT_FALSE(babble.empty());
  EXPECT_GE(MeanImprovement("babble", babble), 1.0);
}

TEST_F(NoiseSuppressorQualityTest, ImprovesSiSdrOnRealNoise) {
  const std::string dir = std::string(AURIS_SOURCE_DIR) + "/../shared/data/noise";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".flac") files[entry.path().stem()] = entry.path();
  }
  if (files.empty()) GTEST_SKIP() << "no .flac files in " << dir;
  const std::vector<float>& clean = CleanSpeech();
  for (const auto& [name, path] : files) {
    const std::vector<float> noise = ReadAudio16k(path);
    ASSERT_FALSE(noise.empty()) << path;
    EXPECT_GE(MeanImprovement(name, Tile(noise, clean.size(), 0)), 1.0) << name;
  }
}

TEST_F(NoiseSuppressorQualityTest, DoesNotDegradeNearlyCleanSpeech) {
  const std::vector<float>& clean = CleanSpeech();
  const double clean_out = SiSdrDb(clean, Enhance(clean));
  std::printf("clean input: SI-SDR of output %.2f dB\n", clean_out);
  EXPECT_GE(clean_out, 25.0);
  for (double snr : {20.0, 30.0}) {
    const Score s = Evaluate(clean, White(clean.size(), 13), snr);
    std::printf("white %.0f dB: %.2f -> %.2f (%+.2f)\n", snr, s.in_db, s.out_db,
                s.out_db - s.in_db);
    EXPECT_GE(s.out_db - s.in_db, -0.5) << snr << " dB";
  }
}

}  // namespace
}  // namespace auris::dsp
