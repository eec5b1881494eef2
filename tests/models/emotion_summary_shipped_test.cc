// The SHIPPED emotion model's utterance summary on real recordings of held-out speakers
// (../shared/data/emotion; EmoDB 03, 08 and RAVDESS actors 01-04 are never trained on): it
// pools exactly the frames of the recipe's energy rule, does not depend on the input level
// (issue #8: +-20 dB changes summary arousal by <= 0.1) and 10 ms streaming gives the unary
// summary. Skipped with a message when the model or the data is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "models/emotion/emotion_pipeline.h"
#include "tests/dsp/test_audio.h"

namespace auris::models {
namespace {

const std::string kModel = std::string(AURIS_SOURCE_DIR) + "/models/emotion/emotion.safetensors";
const std::string kData = std::string(AURIS_SOURCE_DIR) + "/../shared/data/emotion/";

// Angry, neutral, happy and sad utterances, one or two per held-out speaker.
const char* const kFiles[] = {
    "emodb/03a01Wa.flac",
    "emodb/03a01Nc.flac",
    "emodb/08a01Wa.flac",
    "emodb/08a01Na.flac",
    "ravdess/03-01-05-02-01-01-01.flac",
    "ravdess/03-01-01-01-01-01-02.flac",
    "ravdess/03-01-03-02-02-01-03.flac",
    "ravdess/03-01-04-01-01-01-04.flac",
};

struct Analysis {
  std::vector<EmotionFrame> frames;
  EmotionSummary summary;
};

Analysis Analyze(const EmotionPipeline& p, std::span<const float> x, size_t chunk) {
  Analysis a;
  auto stream = p.CreateStream(16000);
  EXPECT_TRUE(stream.ok()) << stream.status();
  for (size_t pos = 0; pos < x.size(); pos += chunk) {
    EXPECT_TRUE((*stream)->Accept(x.subspan(pos, std::min(chunk, x.size() - pos)), &a.frames).ok());
  }
  EXPECT_TRUE((*stream)->Flush(&a.frames).ok());
  a.summary = (*stream)->Summary();
  return a;
}

class ShippedEmotionSummaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kModel)) GTEST_SKIP() << "not shipped: " << kModel;
    if (!std::filesystem::exists(kData)) GTEST_SKIP() << "no evaluation data at " << kData;
    ModelInfo info;
    info.name = "emotion";
    info.task = kTaskEmotion;
    auto p = EmotionPipeline::Load(info, kModel);
    ASSERT_TRUE(p.ok()) << p.status();
    pipeline_ = *std::move(p);
  }

  std::vector<float> Read(const std::string& file) {
    std::vector<float> x = dsp::testing_audio::ReadAudio16k(kData + file);
    EXPECT_GT(x.size(), 16000u) << file << " (sox must be installed)";
    return x;
  }

  std::unique_ptr<EmotionPipeline> pipeline_;
};

TEST_F(ShippedEmotionSummaryTest, PoolsTheFramesOfTheRecipesEnergyRule) {
  size_t excluded = 0;  // silence before and after the speech
  for (const char* file : kFiles) {
    const std::vector<float> x = Read(file);
    const Analysis a = Analyze(*pipeline_, x, x.size());
    // data.py speech_mask, written again here: 40 ms blocks within 35 dB of the loudest.
    const size_t n = a.frames.size();
    ASSERT_EQ(n, x.size() / 640) << file;
    std::vector<double> db(n);
    for (size_t j = 0; j < n; ++j) {
      double sum = 0.0;
      for (size_t i = 640 * j; i < 640 * (j + 1); ++i) sum += double{x[i]} * x[i];
      db[j] = 10.0 * std::log10(sum / 640 + 1e-12);
    }
    const double loudest = *std::max_element(db.begin(), db.end());
    double arousal = 0.0, valence = 0.0;
    int64_t count = 0;
    for (size_t j = 0; j < n; ++j) {
      if (db[j] <= loudest - 35.0) continue;
      arousal += a.frames[j].arousal;
      valence += a.frames[j].valence;
      ++count;
    }
    ASSERT_GT(count, 0) << file;
    excluded += n - static_cast<size_t>(count);
    EXPECT_TRUE(a.summary.over_speech) << file;
    EXPECT_EQ(a.summary.frames, count) << file;
    EXPECT_EQ(a.summary.speech_ns, count * 40000000) << file;
    EXPECT_NEAR(a.summary.arousal, arousal / count, 1e-5) << file;
    EXPECT_NEAR(a.summary.valence, valence / count, 1e-5) << file;
  }
  EXPECT_GT(excluded, 0u);
}

TEST_F(ShippedEmotionSummaryTest, TwentyDecibelsOfGainChangeSummaryArousalByAtMostOneTenth) {
  float worst = 0.0f;
  for (const char* file : kFiles) {
    const std::vector<float> x = Read(file);
    const float base = Analyze(*pipeline_, x, x.size()).summary.arousal;
    for (const float gain : {0.1f, 10.0f}) {  // -20 dB, +20 dB (samples up to 10: not clipped)
      std::vector<float> y = x;
      for (float& v : y) v *= gain;
      const float changed = Analyze(*pipeline_, y, y.size()).summary.arousal;
      EXPECT_LE(std::abs(changed - base), 0.1f) << file << " x" << gain;
      worst = std::max(worst, std::abs(changed - base));
    }
  }
  RecordProperty("max_abs_arousal_change", std::to_string(worst));
}

TEST_F(ShippedEmotionSummaryTest, TenMillisecondChunksGiveTheUnarySummary) {
  for (const char* file : {kFiles[0], kFiles[4]}) {
    const std::vector<float> x = Read(file);
    const Analysis whole = Analyze(*pipeline_, x, x.size());
    const Analysis chunked = Analyze(*pipeline_, x, 160);
    ASSERT_EQ(chunked.frames.size(), whole.frames.size()) << file;
    EXPECT_EQ(chunked.summary.frames, whole.summary.frames) << file;
    EXPECT_NEAR(chunked.summary.arousal, whole.summary.arousal, 1e-5) << file;
    EXPECT_NEAR(chunked.summary.valence, whole.summary.valence, 1e-5) << file;
  }
}

}  // namespace
}  // namespace auris::models
