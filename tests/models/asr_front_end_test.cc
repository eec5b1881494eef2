#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "models/asr/log_mel_front_end.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;

// models/recipes/common/frontend.py FRONTEND_PARAMS, as json.dumps writes it.
constexpr const char* kRecipe =
    R"({"type": "logmel", "sample_rate": 16000, "frame_length": 400, "frame_shift": 160,
        "window": "hann_periodic", "n_fft": 512, "power": 2.0, "n_mels": 80,
        "mel_scale": "htk", "f_min": 20.0, "f_max": 7600.0, "mel_norm": null,
        "log": "natural", "log_floor": 1e-06, "dither": 0.0, "preemphasis": 0.0,
        "center": false})";

TEST(LogMelFrontEndTest, TheRecipeFrontEndIsTheStandardOne) {
  absl::StatusOr<dsp::FeatureConfig> c = LogMelFeatureConfig(kRecipe, "m");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->sample_rate, 16000);
  EXPECT_EQ(c->frame_length, 400);
  EXPECT_EQ(c->hop, 160);
  EXPECT_EQ(c->n_fft, 512);
  EXPECT_EQ(c->n_mels, 80);
  EXPECT_EQ(c->mel_scale, dsp::MelScale::kHtk);
  EXPECT_FALSE(c->slaney_norm);
  EXPECT_DOUBLE_EQ(c->fmin, 20.0);
  EXPECT_DOUBLE_EQ(c->fmax, 7600.0);
  EXPECT_FLOAT_EQ(c->log_floor, 1e-6f);
  EXPECT_EQ(c->n_ceps, 0);
  EXPECT_EQ(c->cmvn, dsp::CmvnMode::kNone);
  EXPECT_TRUE(LogMelFeatureConfig(R"({"type": "logmel"})", "m").ok());
}

TEST(LogMelFrontEndTest, UnsupportedValuesAreNamed) {
  const struct {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"type": "mfcc"})", "is not logmel"},
      {R"({"type": "logmel", "window": "hamming"})", "field \"window\""},
      {R"({"type": "logmel", "power": 1.0})", "field \"power\""},
      {R"({"type": "logmel", "mel_norm": "slaney"})", "field \"mel_norm\""},
      {R"({"type": "logmel", "center": true})", "field \"center\""},
      {R"({"type": "logmel", "dither": 1e-5})", "field \"dither\""},
      {R"({"type": "logmel", "n_mels": "80"})", "field \"n_mels\" must be an integer"},
      {R"({"type": "logmel", "colour": 1})", "unknown field \"colour\""},
      {R"({"type": "logmel", "frame_length": 1024})", "front_end (logmel)"},
      {"[1]", "not a JSON object"},
  };
  for (const auto& c : cases) {
    absl::StatusOr<dsp::FeatureConfig> got = LogMelFeatureConfig(c.json, "model.safetensors");
    ASSERT_FALSE(got.ok()) << c.json;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), HasSubstr(c.message)) << c.json;
    EXPECT_THAT(got.status().message(), HasSubstr("model.safetensors")) << c.json;
  }
}

}  // namespace
}  // namespace auris::models
