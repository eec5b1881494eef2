// The registry with neural models: tests/models/golden/serving (scripts/make_pipeline_golden.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/model_registry.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kGolden = std::string(AURIS_SOURCE_DIR) + "/tests/models/golden";
const std::string kServing = kGolden + "/serving";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

const ModelInfo* Find(const std::vector<ModelInfo>& infos, const std::string& name) {
  for (const ModelInfo& info : infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

TEST(NeuralRegistryTest, LoadsNeuralDenoisersAndTheEmotionModel) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(kServing);
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE((*registry)->skipped().empty());
  EXPECT_TRUE((*registry)->HasTask("emotion"));
  EXPECT_TRUE((*registry)->HasTask("denoise"));
  EXPECT_EQ((*registry)->List("denoise").size(), 3u);
  const std::vector<ModelInfo> emotion = (*registry)->List("emotion");
  ASSERT_EQ(emotion.size(), 1u);
  EXPECT_EQ(emotion[0].name, "tiny-emotion");
  EXPECT_TRUE(emotion[0].is_default);
  EXPECT_TRUE(emotion[0].streaming);
  EXPECT_EQ(emotion[0].sample_rate_hz, 16000);
  EXPECT_GT(emotion[0].parameter_count, 0);
  EXPECT_EQ(emotion[0].metrics.at("fixture"), "1");
  const std::vector<ModelInfo> all = (*registry)->List("");
  ASSERT_EQ(all.size(), 4u);
  const ModelInfo* tiny = Find(all, "tiny-denoise");
  ASSERT_NE(tiny, nullptr);
  EXPECT_FALSE(tiny->is_default);
  EXPECT_EQ(tiny->sample_rate_hz, 16000);
  EXPECT_EQ(tiny->version, "0.0.1");
  EXPECT_TRUE(Find(all, "classic")->is_default);

  EXPECT_EQ((*(*registry)->FindDenoise(""))->info().name, "classic");
  EXPECT_EQ((*(*registry)->FindDenoise("tiny-denoise"))->info().name, "tiny-denoise");
  EXPECT_EQ((*(*registry)->FindEmotion(""))->info().name, "tiny-emotion");
  const absl::StatusOr<const EmotionPipeline*> missing = (*registry)->FindEmotion("big");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr("available: tiny-emotion"));
  EXPECT_TRUE((*registry)->WarmUp().ok());
}

TEST(NeuralRegistryTest, ShippedDirectoryHasNoEmotionModel) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry =
      ModelRegistry::Load(std::string(AURIS_SOURCE_DIR) + "/models/shipped");
  ASSERT_TRUE(registry.ok()) << registry.status();
  if ((*registry)->HasTask("emotion")) GTEST_SKIP() << "an emotion model ships now";
  const absl::StatusOr<const EmotionPipeline*> none = (*registry)->FindEmotion("");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(none.status()), "no emotion model is loaded");
}

class NeuralDescriptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("auris_neural_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  absl::Status LoadStatus() { return ModelRegistry::Load(dir_.string()).status(); }
  fs::path dir_;
};

TEST_F(NeuralDescriptorTest, AModelFileThatFailsToLoadOnlyDropsItsModel) {
  Write("a.json", R"({"auris_model":1,"name":"emo","task":"emotion","type":"emotion",)"
                  R"("version":"1","file":")" +
                      kGolden + R"(/tiny_emotion.safetensors"})");
  Write("b.json", R"({"auris_model":1,"name":"gone","task":"denoise","type":"neural_denoiser",)"
                  R"("version":"1","file":"gone.safetensors"})");
  Write("c.json", R"({"auris_model":1,"name":"wrong","task":"denoise","type":"neural_denoiser",)"
                  R"("version":"1","file":")" +
                      kGolden + R"(/tiny_emotion.safetensors"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_.string());
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE((*registry)->HasTask("emotion"));
  EXPECT_FALSE((*registry)->HasTask("denoise"));
  ASSERT_EQ((*registry)->skipped().size(), 2u);
  EXPECT_EQ((*registry)->skipped()[0].name, "gone");
  EXPECT_EQ((*registry)->skipped()[0].status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT((*registry)->skipped()[0].descriptor, HasSubstr("b.json"));
  EXPECT_THAT(Message((*registry)->skipped()[0].status), HasSubstr("gone.safetensors"));
  EXPECT_EQ((*registry)->skipped()[1].name, "wrong");
  EXPECT_THAT(Message((*registry)->skipped()[1].status), HasSubstr("has task \"emotion\""));
}

TEST_F(NeuralDescriptorTest, DescriptorMistakesStillFailTheLoad) {
  const std::string base = R"("auris_model":1,"name":"n","version":"1")";
  Write("a.json", "{" + base + R"(,"task":"denoise","type":"neural_denoiser"})");
  EXPECT_THAT(Message(LoadStatus()), HasSubstr("needs \"file\""));
  Write("a.json", "{" + base + R"(,"task":"denoise","type":"emotion","file":"x"})");
  EXPECT_THAT(Message(LoadStatus()), HasSubstr("type emotion serves task emotion, not denoise"));
  Write("a.json",
        "{" + base + R"(,"task":"emotion","type":"emotion","file":"x","params":{"a":1}})");
  EXPECT_THAT(Message(LoadStatus()), HasSubstr("takes no \"params\""));
  Write("a.json", "{" + base + R"(,"task":"emotion","type":"emotion","file":7})");
  EXPECT_THAT(Message(LoadStatus()), HasSubstr("\"file\" must be a non-empty string"));
  Write("a.json", "{" + base + R"(,"task":"emotion","type":"emotion","file":")" + kGolden +
                      R"(/tiny_emotion.safetensors","default":true})");
  Write("b.json", R"({"auris_model":1,"name":"m","version":"1","task":"emotion",)"
                  R"("type":"emotion","default":true,"file":")" +
                      kGolden + R"(/tiny_emotion.safetensors"})");
  EXPECT_THAT(Message(LoadStatus()), HasSubstr("2 emotion models say \"default\": true"));
}

}  // namespace
}  // namespace auris::models
