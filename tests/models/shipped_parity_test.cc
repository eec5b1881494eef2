// Parity of the SHIPPED neural model files with the PyTorch recipes that trained them: each
// recipe's `export` writes a deterministic input and the output of its reference pipeline,
// computed from the weights as stored in the file (float16 upcast), into tests/models/golden/.
// A model that is not shipped yet is skipped with a message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/denoise/neural_denoise_pipeline.h"
#include "models/emotion/emotion_pipeline.h"
#include "nn/workspace.h"
#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

using ::auris::testing::ReadPipelineFloats;

std::string Shipped(const std::string& relative) {
  return std::string(AURIS_SOURCE_DIR) + "/models/" + relative;
}

float MaxAbsDiff(std::span<const float> a, std::span<const float> b) {
  float worst = 0.0f;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]));
  }
  return worst;
}

TEST(ShippedParityTest, DenoiseMatchesTheRecipeIn10msChunks) {
  const std::string path = Shipped("denoise/denoise.safetensors");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "not shipped: " << path;
  const std::vector<float> in = ReadPipelineFloats("denoise_parity_in.f32");
  const std::vector<float> want = ReadPipelineFloats("denoise_parity_out.f32");
  ASSERT_EQ(in.size(), 16000u);
  ASSERT_EQ(want.size(), in.size());
  ModelInfo info;
  info.name = "denoise";
  info.task = kTaskDenoise;
  auto pipeline = NeuralDenoisePipeline::Load(info, path);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  auto stream = (*pipeline)->CreateStream(16000, 16000);
  ASSERT_TRUE(stream.ok()) << stream.status();
  std::vector<float> got;
  for (size_t i = 0; i < in.size(); i += 160) {
    ASSERT_TRUE((*stream)->Accept(std::span<const float>(in).subspan(i, 160), &got).ok());
  }
  ASSERT_TRUE((*stream)->Flush(&got).ok());
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LT(MaxAbsDiff(got, want), 1e-4f);
  // The model must actually change the signal (a unit mask would pass the check above
  // only if the recipe's output were the input too).
  EXPECT_GT(MaxAbsDiff(in, want), 1e-3f);
}

TEST(ShippedParityTest, EmotionMatchesTheRecipe) {
  const std::string path = Shipped("emotion/emotion.safetensors");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "not shipped: " << path;
  const std::vector<float> in = ReadPipelineFloats("emotion_parity_in.f32");
  const std::vector<float> want = ReadPipelineFloats("emotion_parity_out.f32");  // (T, 2)
  ASSERT_FALSE(in.empty());
  ASSERT_EQ(want.size(), in.size() / 640 * 2);
  ModelInfo info;
  info.name = "emotion";
  info.task = kTaskEmotion;
  auto pipeline = EmotionPipeline::Load(info, path);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  auto stream = (*pipeline)->CreateStream(16000, 40);
  ASSERT_TRUE(stream.ok()) << stream.status();
  std::vector<EmotionFrame> frames;
  for (size_t i = 0; i < in.size(); i += 160) {
    const size_t n = std::min<size_t>(160, in.size() - i);
    ASSERT_TRUE((*stream)->Accept(std::span<const float>(in).subspan(i, n), &frames).ok());
  }
  ASSERT_TRUE((*stream)->Flush(&frames).ok());
  ASSERT_EQ(frames.size() * 2, want.size());
  float worst = 0.0f;
  for (size_t t = 0; t < frames.size(); ++t) {
    worst = std::max(worst, std::abs(frames[t].arousal - want[2 * t]));
    worst = std::max(worst, std::abs(frames[t].valence - want[2 * t + 1]));
  }
  EXPECT_LT(worst, 1e-4f);
}

// The shipped ASR network: raw log-mel (before CMVN) in, fed 10 frames (100 ms) at a time
// through the model's CMVN and layer list; the recipe's log-probabilities out (38 x 29).
TEST(ShippedParityTest, AsrMatchesTheRecipeIn100msChunks) {
  const std::string path = Shipped("asr/asr.safetensors");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "not shipped: " << path;
  const std::vector<float> in = ReadPipelineFloats("asr_parity_in.f32");     // (150, 80)
  const std::vector<float> want = ReadPipelineFloats("asr_parity_out.f32");  // (38, 29)
  ASSERT_EQ(in.size(), 150u * 80u);
  ASSERT_EQ(want.size(), 38u * 29u);
  ModelInfo info;
  info.name = "asr";
  info.task = kTaskAsr;
  // Network parity only: no LM, so the model file's LM-word lexicon is turned off.
  auto pipeline = AsrPipeline::Load(info, path, "", AsrPipeline::kNoLexicon);
  ASSERT_TRUE(pipeline.ok()) << pipeline.status();
  const dsp::FeatureConfig& fc = (*pipeline)->feature_config();
  ASSERT_EQ(fc.cmvn_mean.size(), 80u);
  ASSERT_EQ(fc.cmvn_std.size(), 80u);
  std::vector<float> x(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    x[i] = (in[i] - fc.cmvn_mean[i % 80]) / fc.cmvn_std[i % 80];
  }
  const nn::Network& net = (*pipeline)->network();
  auto state = net.InitState(1);
  nn::Workspace ws;
  std::vector<float> got;
  for (int64_t t = 0; t < 150; t += 10) {
    ws.Reset();
    auto y = net.Forward(nn::ConstTensorView(x.data() + t * 80, nn::Shape({1, 10, 80})),
                         state.get(), &ws);
    ASSERT_TRUE(y.ok()) << y.status();
    got.insert(got.end(), y->data, y->data + y->size());
  }
  ASSERT_EQ(got.size(), want.size());
  float scale = 0.0f;
  for (float v : want) scale = std::max(scale, std::abs(v));
  EXPECT_LT(MaxAbsDiff(got, want), 1e-4f * scale);
}

}  // namespace
}  // namespace auris::models
