// The SHIPPED recogniser on quiet real speech (issue #7; model card "Level robustness"):
// spoken digits of FSDD (../shared/data/speech/fsdd, 8 kHz), clips 0-4 of every digit of
// the held-out speaker theo, who records at about -43 dBFS, and of the training speaker
// jackson scaled by -20 dB (about -41 dBFS). asr v0.4, trained for about -32 to -8 dBFS,
// got 2 and 6 of these 50 right; v0.5 (copies from -50 to -10 dBFS) 17 and 18 through
// auris_transcribe (v0.5.1's search: theo 17 as well). Also: 10 ms chunks equal the whole
// file through the shipped search. Skipped with a message when the model or the data is
// absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "tests/dsp/test_audio.h"

namespace auris::models {
namespace {

const std::string kDir = std::string(AURIS_SOURCE_DIR) + "/models/asr/";
const std::string kData = std::string(AURIS_SOURCE_DIR) + "/../shared/data/speech/fsdd/";
const char* const kDigits[] = {"zero", "one", "two",   "three", "four",
                               "five", "six", "seven", "eight", "nine"};

class ShippedAsrLevelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kDir + "asr.safetensors")) GTEST_SKIP() << "not shipped";
    if (!std::filesystem::exists(kData)) GTEST_SKIP() << "no evaluation data at " << kData;
    ModelInfo info;
    info.name = "asr";
    info.task = kTaskAsr;
    auto p = AsrPipeline::Load(info, kDir + "asr.safetensors", kDir + "asr.arpa");
    ASSERT_TRUE(p.ok()) << p.status();
    pipeline_ = *std::move(p);
  }

  // The best transcripts of all utterances of `x` (16 kHz), joined by a space.
  std::string Transcribe(std::span<const float> x) {
    auto stream = pipeline_->CreateStream(AsrStreamOptions());
    EXPECT_TRUE(stream.ok()) << stream.status();
    std::vector<AsrEvent> events;
    EXPECT_TRUE((*stream)->Accept(x, &events).ok());
    EXPECT_TRUE((*stream)->Flush(&events).ok());
    std::string text;
    for (const AsrEvent& e : events) {
      if (e.type != AsrEvent::Type::kFinal || e.result.alternatives.empty()) continue;
      text += (text.empty() ? "" : " ") + e.result.alternatives[0].transcript;
    }
    return text;
  }

  // How many of the speaker's clips 0-4 of each digit come out as exactly that digit's word,
  // with every sample scaled by `gain`.
  int CorrectDigits(const std::string& speaker, float gain) {
    int correct = 0;
    for (int digit = 0; digit < 10; ++digit) {
      for (int take = 0; take < 5; ++take) {
        const std::string file =
            kData + std::to_string(digit) + "_" + speaker + "_" + std::to_string(take) + ".flac";
        std::vector<float> x = dsp::testing_audio::ReadAudio16k(file);
        EXPECT_GT(x.size(), 1000u) << file << " (sox must be installed)";
        for (float& v : x) v *= gain;
        correct += Transcribe(x) == kDigits[digit];
      }
    }
    return correct;
  }

  std::unique_ptr<AsrPipeline> pipeline_;
};

// Streaming equals batch with the shipped search (beam 64, lexicon, LM, pruning): ten digits
// of jackson with 1 s pauses (so endpointing cuts finals), fed whole and in 10 ms chunks, give the
// same finals, every alternative's transcript and score.
TEST_F(ShippedAsrLevelTest, TenMillisecondChunksEqualTheWholeFile) {
  std::vector<float> x;
  for (int digit = 0; digit < 10; ++digit) {
    const std::vector<float> clip =
        dsp::testing_audio::ReadAudio16k(kData + std::to_string(digit) + "_jackson_0.flac");
    ASSERT_GT(clip.size(), 1000u);
    x.insert(x.end(), clip.begin(), clip.end());
    x.insert(x.end(), 16000, 0.0f);
  }
  AsrStreamOptions options;
  options.max_alternatives = 4;
  const auto run = [&](size_t chunk) {
    auto stream = pipeline_->CreateStream(options);
    EXPECT_TRUE(stream.ok()) << stream.status();
    std::vector<AsrEvent> events;
    for (size_t pos = 0; pos < x.size(); pos += chunk) {
      const size_t n = std::min(chunk, x.size() - pos);
      EXPECT_TRUE((*stream)->Accept(std::span<const float>(x.data() + pos, n), &events).ok());
    }
    EXPECT_TRUE((*stream)->Flush(&events).ok());
    std::vector<AsrResult> finals;
    for (const AsrEvent& e : events) {
      if (e.type == AsrEvent::Type::kFinal) finals.push_back(e.result);
    }
    return finals;
  };
  const std::vector<AsrResult> whole = run(x.size());
  const std::vector<AsrResult> chunked = run(160);
  ASSERT_GE(whole.size(), 2u);
  ASSERT_EQ(whole.size(), chunked.size());
  int words = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    ASSERT_EQ(whole[i].alternatives.size(), chunked[i].alternatives.size()) << "final " << i;
    for (size_t k = 0; k < whole[i].alternatives.size(); ++k) {
      EXPECT_EQ(whole[i].alternatives[k].transcript, chunked[i].alternatives[k].transcript);
      EXPECT_NEAR(whole[i].alternatives[k].score, chunked[i].alternatives[k].score, 1e-3);
    }
    if (!whole[i].alternatives.empty()) words += whole[i].alternatives[0].words.size();
  }
  EXPECT_GE(words, 5);
}

TEST_F(ShippedAsrLevelTest, QuietHeldOutSpeakerAtHisOwnLevel) {
  EXPECT_GE(CorrectDigits("theo", 1.0f), 10) << "of 50";
}

TEST_F(ShippedAsrLevelTest, TrainingSpeakerTwentyDecibelsQuieter) {
  EXPECT_GE(CorrectDigits("jackson", std::pow(10.0f, -20.0f / 20.0f)), 12) << "of 50";
}

}  // namespace
}  // namespace auris::models
