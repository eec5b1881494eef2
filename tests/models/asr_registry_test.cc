// The "asr" descriptor type: model file and optional ARPA LM, both relative to the descriptor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "models/model_descriptor.h"
#include "models/model_registry.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class AsrRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("auris_asr_registry_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "sub");
    fs::copy_file(testing::AsrGolden("asr_tiny.safetensors"), dir_ / "sub" / "m.safetensors");
    fs::copy_file(testing::AsrGolden("asr_tiny.arpa"), dir_ / "sub" / "lm.arpa");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& json) {
    std::ofstream(dir_ / name) << json;
  }
  fs::path dir_;
};

TEST_F(AsrRegistryTest, LoadsAnAsrModelWithItsLm) {
  Write("asr.json", R"({"auris_model": 1, "name": "tiny", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/m.safetensors", "lm": "sub/lm.arpa"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_.string());
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE((*registry)->skipped().empty());
  EXPECT_TRUE((*registry)->HasTask("asr"));
  absl::StatusOr<const AsrPipeline*> asr = (*registry)->FindAsr("");
  ASSERT_TRUE(asr.ok()) << asr.status();
  EXPECT_TRUE((*asr)->has_lm());
  const std::vector<ModelInfo> infos = (*registry)->List("asr");
  ASSERT_EQ(infos.size(), 1u);
  EXPECT_EQ(infos[0].sample_rate_hz, 16000);
  EXPECT_TRUE(infos[0].streaming);
  EXPECT_TRUE(infos[0].is_default);
  EXPECT_EQ((*registry)->FindAsr("other").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE((*registry)->WarmUp().ok());
}

TEST_F(AsrRegistryTest, LmIsOptionalAndAMissingLmSkipsTheModel) {
  Write("a.json", R"({"auris_model": 1, "name": "a", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/m.safetensors"})");
  Write("b.json", R"({"auris_model": 1, "name": "b", "task": "asr", "type": "asr",
    "version": "1", "file": "sub/m.safetensors", "lm": "missing.arpa"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_.string());
  ASSERT_TRUE(registry.ok()) << registry.status();
  absl::StatusOr<const AsrPipeline*> a = (*registry)->FindAsr("a");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE((*a)->has_lm());
  ASSERT_EQ((*registry)->skipped().size(), 1u);
  EXPECT_EQ((*registry)->skipped()[0].name, "b");
}

TEST_F(AsrRegistryTest, LmOnlyForAsrAndMustBeAString) {
  Write("d.json", R"({"auris_model": 1, "name": "d", "task": "denoise",
    "type": "neural_denoiser", "version": "1", "file": "sub/m.safetensors", "lm": "x.arpa"})");
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_.string());
  ASSERT_FALSE(registry.ok());
  EXPECT_THAT(registry.status().message(), HasSubstr("\"lm\" is only for type asr"));
  // The classic (non-neural) denoiser is rejected the same way, not silently accepted.
  fs::remove(dir_ / "d.json");
  Write("c.json", R"({"auris_model": 1, "name": "c", "task": "denoise",
    "type": "classic_denoiser", "version": "1", "lm": "x.arpa"})");
  registry = ModelRegistry::Load(dir_.string());
  ASSERT_FALSE(registry.ok());
  EXPECT_THAT(registry.status().message(), HasSubstr("c.json: field \"lm\" is only for type asr"));
  absl::StatusOr<ModelDescriptor> d = ParseModelDescriptor(
      R"({"auris_model": 1, "name": "x", "task": "asr", "type": "asr", "version": "1",
          "file": "m", "lm": 3})",
      "x.json");
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("field \"lm\""));
}

}  // namespace
}  // namespace auris::models
