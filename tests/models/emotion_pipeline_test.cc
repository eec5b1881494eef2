#include "models/emotion/emotion_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <random>

#include "tests/common/syllabic_harmonics.h"
#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
using testing::PipelineGolden;
using testing::ReadPipelineFloats;

constexpr int64_t kPeriodNs = 40000000;  // 25 Hz

ModelInfo EmotionInfo() {
  ModelInfo info;
  info.name = "tiny-emotion";
  info.task = kTaskEmotion;
  return info;
}

std::unique_ptr<EmotionPipeline> LoadGolden() {
  absl::StatusOr<std::unique_ptr<EmotionPipeline>> p =
      EmotionPipeline::Load(EmotionInfo(), PipelineGolden("tiny_emotion.safetensors"));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

struct Result {
  std::vector<EmotionFrame> frames;
  EmotionSummary summary;
};

Result Analyze(const EmotionPipeline& p, const std::vector<float>& x, int rate, size_t chunk,
               int frame_period_ms = 0) {
  Result r;
  absl::StatusOr<std::unique_ptr<EmotionStream>> stream = p.CreateStream(rate, frame_period_ms);
  EXPECT_TRUE(stream.ok()) << stream.status();
  const std::span<const float> all(x);
  const size_t step = chunk == 0 ? std::max<size_t>(all.size(), 1) : chunk;
  for (size_t pos = 0; pos < all.size(); pos += step) {
    EXPECT_TRUE(
        (*stream)->Accept(all.subspan(pos, std::min(step, all.size() - pos)), &r.frames).ok());
  }
  EXPECT_TRUE((*stream)->Flush(&r.frames).ok());
  r.summary = (*stream)->Summary();
  return r;
}

void ExpectSameFrames(const std::vector<EmotionFrame>& a, const std::vector<EmotionFrame>& b,
                      float tolerance) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].start_ns, b[i].start_ns) << i;
    EXPECT_EQ(a[i].end_ns, b[i].end_ns) << i;
    EXPECT_NEAR(a[i].arousal, b[i].arousal, tolerance) << i;
    EXPECT_NEAR(a[i].valence, b[i].valence, tolerance) << i;
  }
}

// 0.6 s of quiet noise (-60 dB), then syllable-like voiced bursts.
std::vector<float> SpeechAfterNoise(double seconds) {
  testing::SyllableSpec spec;
  spec.sample_rate_hz = 16000;
  spec.amplitude = 0.3;
  std::vector<float> x(9600, 0.0f);
  const std::vector<float> speech =
      testing::SyllabicHarmonics(static_cast<size_t>(16000 * seconds), spec);
  x.insert(x.end(), speech.begin(), speech.end());
  std::mt19937 rng(2);
  std::normal_distribution<float> noise(0.0f, 0.001f);
  for (float& v : x) v += noise(rng);
  return x;
}

TEST(EmotionPipelineTest, DescribesItself) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->model_rate_hz(), 16000);
  EXPECT_EQ(p->frame_samples(), 160);
  EXPECT_EQ(p->period_samples(), 640);
  EXPECT_EQ(p->period_ns(), kPeriodNs);
  EXPECT_TRUE(p->info().streaming);
  EXPECT_EQ(p->info().parameter_count, 160 * 16 * 3 + 16 + 4 * 8 * (16 + 8) + 64 + 8 * 2 + 2);
}

TEST(EmotionPipelineTest, MatchesTheTorchReferenceAt25Hz) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = ReadPipelineFloats("pipeline_input.f32");
  const std::vector<float> reference = ReadPipelineFloats("emotion_reference.f32");
  ASSERT_EQ(reference.size(), 14u);  // 30 whole frames -> conv stride 2 -> 15 -> pool 2 -> 7
  const Result r = Analyze(*p, x, 16000, 0);
  ASSERT_EQ(r.frames.size(), 7u);
  for (size_t j = 0; j < r.frames.size(); ++j) {
    EXPECT_EQ(r.frames[j].start_ns, static_cast<int64_t>(j) * kPeriodNs);
    EXPECT_EQ(r.frames[j].end_ns, static_cast<int64_t>(j + 1) * kPeriodNs);
    EXPECT_NEAR(r.frames[j].arousal, reference[2 * j], 1e-4) << j;
    EXPECT_NEAR(r.frames[j].valence, reference[2 * j + 1], 1e-4) << j;
  }
}

TEST(EmotionPipelineTest, TenMillisecondChunksEqualTheWholeFile) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = SpeechAfterNoise(2.0);
  const Result whole = Analyze(*p, x, 16000, 0);
  EXPECT_EQ(whole.frames.size(), x.size() / 640);
  for (size_t chunk : {size_t{160}, size_t{333}}) {
    const Result chunked = Analyze(*p, x, 16000, chunk);
    ExpectSameFrames(chunked.frames, whole.frames, 1e-6f);
    EXPECT_EQ(chunked.summary.speech_ns, whole.summary.speech_ns);
    EXPECT_EQ(chunked.summary.frames, whole.summary.frames);
    EXPECT_NEAR(chunked.summary.arousal, whole.summary.arousal, 1e-6);
    EXPECT_NEAR(chunked.summary.valence, whole.summary.valence, 1e-6);
  }
}

TEST(EmotionPipelineTest, ResampledInputGivesTheSameFrameTimes) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  std::vector<float> x(48000);
  std::mt19937 rng(1);
  std::normal_distribution<float> d(0.0f, 0.1f);
  for (float& v : x) v = d(rng);
  const Result whole = Analyze(*p, x, 48000, 0);
  ASSERT_EQ(whole.frames.size(), 25u);
  EXPECT_EQ(whole.frames.back().end_ns, 1000000000);
  ExpectSameFrames(Analyze(*p, x, 48000, 480).frames, whole.frames, 1e-5f);
}

// Blocks of 640 samples (one native frame each) of a 440 Hz tone whose mean power is
// `db[j]` dB (0 dB = mean square 1); -inf gives zeros.
std::vector<float> ToneBlocks(const std::vector<double>& db) {
  std::vector<float> x;
  for (const double level : db) {
    const double amplitude = std::isinf(level) ? 0.0 : std::sqrt(2.0) * std::pow(10.0, level / 20);
    for (int i = 0; i < 640; ++i) {
      x.push_back(static_cast<float>(amplitude * std::sin(2 * M_PI * 440.0 * i / 16000.0)));
    }
  }
  return x;
}

std::vector<double> Levels(std::initializer_list<std::pair<int, double>> runs) {
  std::vector<double> db;
  for (const auto& [count, level] : runs) db.insert(db.end(), count, level);
  return db;
}

float MeanArousal(const std::vector<EmotionFrame>& frames, size_t begin, size_t end) {
  double sum = 0.0;
  for (size_t j = begin; j < end; ++j) sum += frames[j].arousal;
  return static_cast<float>(sum / static_cast<double>(end - begin));
}

// The energy rule of models/recipes/emotion/data.py: frames within 35 dB of the loudest one.
TEST(EmotionPipelineTest, SummaryPoolsFramesWithin35dBOfTheLoudest) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  const double inf = std::numeric_limits<double>::infinity();
  // Loud (-9 dB), -30 dB below it (speech), -40 dB below it (not), digital silence (not).
  const std::vector<double> db = Levels({{10, -9.0}, {10, -39.0}, {10, -49.0}, {5, -inf}});
  for (const double gain_db : {0.0, -40.0, 20.0}) {
    std::vector<float> x = ToneBlocks(db);
    for (float& v : x) v *= static_cast<float>(std::pow(10.0, gain_db / 20));
    const Result r = Analyze(*p, x, 16000, 160);
    ASSERT_EQ(r.frames.size(), 35u);
    EXPECT_TRUE(r.summary.over_speech) << gain_db;
    EXPECT_EQ(r.summary.frames, 20) << gain_db;
    EXPECT_EQ(r.summary.speech_ns, 20 * kPeriodNs) << gain_db;
    EXPECT_NEAR(r.summary.arousal, MeanArousal(r.frames, 0, 20), 1e-6) << gain_db;
  }
  // Quiet frames count until something louder raises the floor past them.
  absl::StatusOr<std::unique_ptr<EmotionStream>> stream = p->CreateStream(16000);
  ASSERT_TRUE(stream.ok());
  std::vector<EmotionFrame> frames;
  ASSERT_TRUE((*stream)->Accept(ToneBlocks(Levels({{8, -49.0}})), &frames).ok());
  EXPECT_EQ((*stream)->Summary().frames, 8);
  ASSERT_TRUE((*stream)->Accept(ToneBlocks(Levels({{6, -9.0}})), &frames).ok());
  ASSERT_TRUE((*stream)->Flush(&frames).ok());
  ASSERT_EQ(frames.size(), 14u);
  EXPECT_EQ((*stream)->Summary().frames, 6);
  EXPECT_NEAR((*stream)->Summary().arousal, MeanArousal(frames, 8, 14), 1e-6);
}

TEST(EmotionPipelineTest, LongStreamsDropFramesThatFellBelowTheFloor) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  // 1900 frames (76 s): the stream prunes what it keeps at least once on the way.
  const Result r =
      Analyze(*p, ToneBlocks(Levels({{700, -60.0}, {500, -10.0}, {700, -50.0}})), 16000, 1600);
  ASSERT_EQ(r.frames.size(), 1900u);
  EXPECT_EQ(r.summary.frames, 500);
  EXPECT_NEAR(r.summary.arousal, MeanArousal(r.frames, 700, 1200), 1e-5);
}

TEST(EmotionPipelineTest, SummaryOfSilenceIsOverAllFramesWithNoSpeech) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  const Result silence = Analyze(*p, std::vector<float>(16000, 0.0f), 16000, 160);
  ASSERT_EQ(silence.frames.size(), 25u);
  EXPECT_FALSE(silence.summary.over_speech);
  EXPECT_EQ(silence.summary.speech_ns, 0);
  EXPECT_EQ(silence.summary.frames, 25);
  EXPECT_NEAR(silence.summary.arousal, MeanArousal(silence.frames, 0, 25), 1e-6);

  const Result speech = Analyze(*p, SpeechAfterNoise(2.0), 16000, 160);
  EXPECT_TRUE(speech.summary.over_speech);
  EXPECT_GT(speech.summary.speech_ns, 500000000);
  EXPECT_LT(speech.summary.frames, static_cast<int64_t>(speech.frames.size()));
  EXPECT_EQ(speech.summary.speech_ns, speech.summary.frames * kPeriodNs);

  const Result empty = Analyze(*p, {}, 16000, 0);
  EXPECT_TRUE(empty.frames.empty());
  EXPECT_EQ(empty.summary.frames, 0);
}

TEST(EmotionPipelineTest, FramePeriodAveragesNativeFrames) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = SpeechAfterNoise(0.5);  // 1.1 s = 27 native frames (+ a part)
  const Result native = Analyze(*p, x, 16000, 0);
  ASSERT_EQ(native.frames.size(), 27u);
  const Result pooled = Analyze(*p, x, 16000, 160, 120);
  ASSERT_EQ(pooled.frames.size(), 9u);
  for (size_t j = 0; j < pooled.frames.size(); ++j) {
    EXPECT_EQ(pooled.frames[j].start_ns, static_cast<int64_t>(3 * j) * kPeriodNs);
    EXPECT_EQ(pooled.frames[j].end_ns, static_cast<int64_t>(3 * j + 3) * kPeriodNs);
    const float mean = (native.frames[3 * j].arousal + native.frames[3 * j + 1].arousal +
                        native.frames[3 * j + 2].arousal) /
                       3;
    EXPECT_NEAR(pooled.frames[j].arousal, mean, 1e-6);
  }
  const Result partial = Analyze(*p, x, 16000, 0, 80);  // 27 = 13 x 2 + 1
  ASSERT_EQ(partial.frames.size(), 14u);
  EXPECT_EQ(partial.frames.back().start_ns, 26 * kPeriodNs);
  EXPECT_EQ(partial.frames.back().end_ns, 27 * kPeriodNs);
  EXPECT_NEAR(partial.frames.back().valence, native.frames.back().valence, 1e-6);
  for (int bad : {-40, 30, 60}) {
    const absl::StatusOr<std::unique_ptr<EmotionStream>> s = p->CreateStream(16000, bad);
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("native 40 ms")) << bad;
  }
  EXPECT_EQ(p->CreateStream(4000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(EmotionPipelineTest, SteadyStateTenMillisecondChunksAllocateNothingInTheNetwork) {
  auto p = LoadGolden();
  ASSERT_NE(p, nullptr);
  absl::StatusOr<std::unique_ptr<EmotionStream>> stream = p->CreateStream(16000);
  ASSERT_TRUE(stream.ok());
  const std::vector<float> x = SpeechAfterNoise(1.0);
  std::vector<EmotionFrame> frames;
  frames.reserve(100);
  const std::span<const float> all(x);
  for (size_t pos = 0; pos < 3200; pos += 160) {
    ASSERT_TRUE((*stream)->Accept(all.subspan(pos, 160), &frames).ok());
  }
  const int64_t warm = (*stream)->workspace_heap_allocations();
  for (size_t pos = 3200; pos + 160 <= x.size(); pos += 160) {
    ASSERT_TRUE((*stream)->Accept(all.subspan(pos, 160), &frames).ok());
  }
  EXPECT_EQ((*stream)->workspace_heap_allocations(), warm);
}

TEST(EmotionPipelineTest, BadModelsGiveClearErrors) {
  struct Case {
    std::string type;
    std::string json;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"log_mel", R"({"type": "log_mel"})", "front_end type \"log_mel\" is not supported"},
      {"waveform_frames", R"({"type": "waveform_frames"})", "\"frame_samples\" must be"},
      {"waveform_frames", R"({"type": "waveform_frames", "frame_samples": 320})",
       "frames of 320 samples need 320 -> 2"},
      {"waveform_frames", R"({"type": "waveform_frames", "frame_samples": 160, "hop": 80})",
       "unknown field \"hop\""},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<nn::Network>> network =
        testing::NetworkWithFrontEnd("tiny_emotion.safetensors", c.type, c.json);
    ASSERT_TRUE(network.ok()) << network.status();
    absl::StatusOr<std::unique_ptr<EmotionPipeline>> p =
        EmotionPipeline::Create(EmotionInfo(), *std::move(network));
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.expected)) << c.json;
  }
  EXPECT_THAT(
      std::string(EmotionPipeline::Load(EmotionInfo(), PipelineGolden("tiny_denoise.safetensors"))
                      .status()
                      .message()),
      HasSubstr("has task \"denoise\""));
}

}  // namespace
}  // namespace auris::models
