// Word-confidence calibration: the formula, the model-file field and its errors, and that a
// calibrated model reports calibrate(raw) for every word of the same decode.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "models/asr/word_alignment.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

TEST(CalibrateConfidenceTest, IdentityAtUnitScaleAndZeroBias) {
  for (float raw : {0.01f, 0.2f, 0.5f, 0.9f, 0.999f}) {
    EXPECT_NEAR(CalibrateConfidence(raw, 1.0, 0.0), raw, 1e-6) << raw;
  }
}

TEST(CalibrateConfidenceTest, MatchesTheLogisticFormula) {
  // raw 0.5: logit 0 -> sigmoid(bias). raw 0.8: logit ln 4 -> sigmoid(2 ln 4 - 1).
  EXPECT_NEAR(CalibrateConfidence(0.5f, 2.0, 1.0), 1.0 / (1.0 + std::exp(-1.0)), 1e-6);
  EXPECT_NEAR(CalibrateConfidence(0.8f, 2.0, -1.0),
              1.0 / (1.0 + std::exp(-(2.0 * std::log(4.0) - 1.0))), 1e-6);
  // Raw 0 and 1 are clamped, so the result stays finite and inside (0, 1).
  EXPECT_GT(CalibrateConfidence(0.0f, 0.5, 0.0), 0.0f);
  EXPECT_LT(CalibrateConfidence(1.0f, 0.5, 0.0), 1.0f);
}

absl::StatusOr<std::unique_ptr<AsrPipeline>> Load(const std::string& path) {
  ModelInfo info;
  info.name = "asr-tiny";
  info.task = kTaskAsr;
  return AsrPipeline::Load(info, path, testing::AsrGolden("asr_tiny.arpa"));
}

std::vector<AsrWord> BestWords(const AsrPipeline& p) {
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream({});
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<AsrEvent> events;
  const std::vector<float> x = testing::AsrGoldenWaveform();
  EXPECT_TRUE((*s)->Accept(x, &events).ok());
  EXPECT_TRUE((*s)->Flush(&events).ok());
  std::vector<AsrWord> words;
  for (const AsrEvent& e : events) {
    if (e.type != AsrEvent::Type::kFinal || e.result.alternatives.empty()) continue;
    for (const AsrWord& w : e.result.alternatives[0].words) words.push_back(w);
  }
  return words;
}

TEST(AsrConfidenceCalibrationTest, CalibratedModelMapsEveryWordConfidence) {
  const Json base = {{"beam", 8}, {"lm_weight", 0.5}, {"word_insertion_bonus", 0.5}};
  Json calibrated = base;
  calibrated["confidence_calibration"] = {{"scale", 0.6}, {"bias", -0.4}};
  absl::StatusOr<std::unique_ptr<AsrPipeline>> raw =
      Load(testing::WriteTinyAsrWithDecoder(base, "asr_conf_raw"));
  absl::StatusOr<std::unique_ptr<AsrPipeline>> cal =
      Load(testing::WriteTinyAsrWithDecoder(calibrated, "asr_conf_cal"));
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_DOUBLE_EQ((*cal)->defaults().confidence_scale, 0.6);
  EXPECT_DOUBLE_EQ((*cal)->defaults().confidence_bias, -0.4);
  const std::vector<AsrWord> a = BestWords(**raw);
  const std::vector<AsrWord> b = BestWords(**cal);
  ASSERT_FALSE(a.empty());
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].word, b[i].word);
    EXPECT_NEAR(b[i].confidence, CalibrateConfidence(a[i].confidence, 0.6, -0.4), 1e-6);
    EXPECT_NE(b[i].confidence, a[i].confidence);
  }
}

TEST(AsrConfidenceCalibrationTest, MalformedCalibrationIsAClearError) {
  const std::vector<Json> bad = {
      Json{{"scale", 0.0}, {"bias", 0.0}},  // scale must be > 0
      Json{{"scale", 1.0}},                 // bias missing
      Json{{"scale", "1"}, {"bias", 0.0}},  // not a number
      Json::array({1.0, 0.0}),              // not an object
  };
  int k = 0;
  for (const Json& c : bad) {
    Json decoder = {{"beam", 8}, {"confidence_calibration", c}};
    absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
        Load(testing::WriteTinyAsrWithDecoder(decoder, "asr_conf_bad" + std::to_string(k++)));
    ASSERT_FALSE(p.ok()) << c.dump();
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("decoder.confidence_calibration"));
  }
}

}  // namespace
}  // namespace auris::models
