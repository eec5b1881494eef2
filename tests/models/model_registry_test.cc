#include "models/model_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "dsp/quality_metrics.h"
#include "models/model_descriptor.h"
#include "tests/common/syllabic_harmonics.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kShipped = std::string(AURIS_SOURCE_DIR) + "/models/shipped";

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(ModelRegistryTest, LoadsEveryShippedModelWithClassicAsDefaultDenoiser) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(kShipped);
  ASSERT_TRUE(registry.ok()) << registry.status();
  const std::vector<ModelInfo> all = (*registry)->List("");
  // Every shipped descriptor names a model file that loads: nothing is skipped.
  size_t descriptors = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kShipped)) {
    descriptors += entry.path().extension() == ".json" ? 1 : 0;
  }
  EXPECT_EQ(all.size(), descriptors);
  EXPECT_TRUE((*registry)->skipped().empty());
  const auto classic =
      std::find_if(all.begin(), all.end(), [](const ModelInfo& m) { return m.name == "classic"; });
  ASSERT_NE(classic, all.end());
  EXPECT_TRUE(classic->is_default);
  EXPECT_TRUE(classic->streaming);
  for (const ModelInfo& m : all) EXPECT_TRUE(m.streaming) << m.name;
  EXPECT_TRUE((*registry)->HasTask("denoise"));
  absl::StatusOr<const DenoisePipeline*> by_default = (*registry)->FindDenoise("");
  ASSERT_TRUE(by_default.ok());
  EXPECT_EQ((*by_default)->info().name, "classic");
  const absl::StatusOr<const DenoisePipeline*> missing = (*registry)->FindDenoise("rnnoise");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(missing.status()), HasSubstr("available: classic"));
  EXPECT_TRUE((*registry)->WarmUp().ok());
}

TEST(ModelRegistryTest, TaskNamesAreChecked) {
  EXPECT_TRUE(ValidateTaskName("").ok());
  EXPECT_TRUE(ValidateTaskName("emotion").ok());
  EXPECT_EQ(ValidateTaskName("music").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ModelDescriptorTest, EveryMalformedFieldIsNamed) {
  struct Case {
    const char* json;
    const char* expected;
  };
  const Case cases[] = {
      {"{", "not valid JSON"},
      {"[]", "JSON object"},
      {R"({"name":"x"})", "auris_model"},
      {R"({"auris_model":2,"name":"x"})", "auris_model"},
      {R"({"auris_model":1,"task":"denoise","type":"t","version":"1"})", "missing field \"name\""},
      {R"({"auris_model":1,"name":"","task":"denoise","type":"t","version":"1"})",
       "\"name\" must be a non-empty string"},
      {R"({"auris_model":1,"name":"x","task":"music","type":"t","version":"1"})", "task \"music\""},
      {R"({"auris_model":1,"name":"x","task":"asr","type":"t","version":"1","default":"yes"})",
       "\"default\" must be true or false"},
      {R"({"auris_model":1,"name":"x","task":"asr","type":"t","version":"1","params":{"a":"b"}})",
       "parameter \"a\" must be a number"},
  };
  for (const Case& c : cases) {
    const absl::StatusOr<ModelDescriptor> d = ParseModelDescriptor(c.json, "m.json");
    ASSERT_FALSE(d.ok()) << c.json;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(d.status()), HasSubstr("m.json")) << c.json;
    EXPECT_THAT(Message(d.status()), HasSubstr(c.expected)) << c.json;
  }
}

class TempModelsDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("auris_models_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(TempModelsDir, RejectsUnknownTypeUnknownParameterDuplicatesAndTwoDefaults) {
  const std::string base =
      R"("auris_model":1,"task":"denoise","version":"1","type":"classic_denoiser")";
  Write("a.json", "{" + base + R"(,"name":"a","params":{"min_gain_db":-15}})");
  ASSERT_TRUE(ModelRegistry::Load(dir_.string()).ok());

  Write("b.json", "{" + base + R"(,"name":"a"})");
  EXPECT_THAT(Message(ModelRegistry::Load(dir_.string()).status()), HasSubstr("already loaded"));
  Write("b.json", "{" + base + R"(,"name":"b","params":{"strength":2}})");
  EXPECT_THAT(Message(ModelRegistry::Load(dir_.string()).status()),
              HasSubstr("unknown parameter \"strength\""));
  Write("b.json", "{" + base + R"(,"name":"b","params":{"min_gain_db":-99}})");
  EXPECT_THAT(Message(ModelRegistry::Load(dir_.string()).status()), HasSubstr("min_gain_db"));
  Write("b.json", R"({"auris_model":1,"task":"denoise","version":"1","type":"magic","name":"b"})");
  EXPECT_THAT(Message(ModelRegistry::Load(dir_.string()).status()),
              HasSubstr("unknown type \"magic\""));
  Write("a.json", "{" + base + R"(,"name":"a","default":true})");
  Write("b.json", "{" + base + R"(,"name":"b","default":true})");
  EXPECT_THAT(Message(ModelRegistry::Load(dir_.string()).status()), HasSubstr("at most one"));
  EXPECT_EQ(ModelRegistry::Load((dir_ / "nope").string()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(TempModelsDir, EmptyDirectoryHasNoDenoiser) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(dir_.string());
  ASSERT_TRUE(registry.ok());
  const absl::StatusOr<const DenoisePipeline*> p = (*registry)->FindDenoise("");
  EXPECT_EQ(p.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Message(p.status()), "no denoise model is loaded");
}

// Syllable-like bursts (150 ms on, 100 ms off) of gliding harmonics.
std::vector<float> Harmonics(int rate, double seconds) {
  testing::SyllableSpec spec;
  spec.sample_rate_hz = rate;
  spec.period_s = 0.25;
  spec.on_s = 0.15;
  spec.f0_swing_hz = 40;
  spec.glide_hz = 1.3;
  spec.amplitude = 0.3;
  return testing::SyllabicHarmonics(static_cast<size_t>(rate * seconds), spec);
}

TEST(ClassicDenoisePipelineTest, OutputIsAlignedWithInputAndChunkInvariant) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(kShipped);
  ASSERT_TRUE(registry.ok());
  const DenoisePipeline* pipeline = *(*registry)->FindDenoise("classic");
  std::vector<float> x = Harmonics(16000, 2.0);
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 0.01f);
  for (float& v : x) v += noise(rng);

  std::vector<float> whole;
  {
    auto stream = *pipeline->CreateStream(16000, 16000);
    EXPECT_EQ(stream->DelaySamples(), 160);
    ASSERT_TRUE(stream->Accept(x, &whole).ok());
    ASSERT_TRUE(stream->Flush(&whole).ok());
  }
  ASSERT_EQ(whole.size(), x.size());
  // Aligned: the output matches the (clean-dominated) input far better at lag 0 than at the
  // model's internal delay.
  const std::span<const float> xs(x), ws(whole);
  const double at0 = dsp::SiSdrDb(xs.subspan(0, x.size() - 160), ws.subspan(0, x.size() - 160));
  const double at_delay = dsp::SiSdrDb(xs.subspan(0, x.size() - 160), ws.subspan(160));
  EXPECT_GT(at0, 10.0);
  EXPECT_GT(at0, at_delay + 10.0);

  std::vector<float> chunked;
  auto stream = *pipeline->CreateStream(16000, 16000);
  for (size_t pos = 0; pos < x.size(); pos += 160) {
    ASSERT_TRUE(
        stream->Accept(xs.subspan(pos, std::min<size_t>(160, x.size() - pos)), &chunked).ok());
  }
  ASSERT_TRUE(stream->Flush(&chunked).ok());
  EXPECT_EQ(chunked, whole);
}

TEST(ClassicDenoisePipelineTest, ResamplesToTheOutputRate) {
  absl::StatusOr<std::unique_ptr<ModelRegistry>> registry = ModelRegistry::Load(kShipped);
  const DenoisePipeline* pipeline = *(*registry)->FindDenoise("");
  const std::vector<float> x = Harmonics(16000, 1.0);
  std::vector<float> out;
  auto stream = *pipeline->CreateStream(16000, 8000);
  ASSERT_TRUE(stream->Accept(x, &out).ok());
  ASSERT_TRUE(stream->Flush(&out).ok());
  EXPECT_EQ(out.size(), 8000u);
  EXPECT_EQ(pipeline->CreateStream(16000, 96000).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(pipeline->CreateStream(4000, 16000).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace auris::models
