#include "models/denoise/neural_denoise_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
using testing::PipelineGolden;
using testing::ReadPipelineFloats;

ModelInfo DenoiseInfo(const std::string& name) {
  ModelInfo info;
  info.name = name;
  info.task = kTaskDenoise;
  return info;
}

std::unique_ptr<NeuralDenoisePipeline> LoadGolden(const std::string& file) {
  absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> p =
      NeuralDenoisePipeline::Load(DenoiseInfo(file), PipelineGolden(file));
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

// Runs `x` through a fresh stream in chunks of `chunk` input samples (0 = all at once).
std::vector<float> Denoise(const DenoisePipeline& pipeline, const std::vector<float>& x,
                           int in_rate, int out_rate, size_t chunk) {
  absl::StatusOr<std::unique_ptr<DenoiseStream>> stream = pipeline.CreateStream(in_rate, out_rate);
  EXPECT_TRUE(stream.ok()) << stream.status();
  std::vector<float> out;
  const std::span<const float> all(x);
  const size_t step = chunk == 0 ? std::max<size_t>(all.size(), 1) : chunk;
  for (size_t pos = 0; pos < all.size(); pos += step) {
    EXPECT_TRUE((*stream)->Accept(all.subspan(pos, std::min(step, all.size() - pos)), &out).ok());
  }
  EXPECT_TRUE((*stream)->Flush(&out).ok());
  return out;
}

float MaxAbsDiff(std::span<const float> a, std::span<const float> b) {
  float m = 0.0f;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

std::vector<float> Noise(size_t n, int seed, float sd = 0.1f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, sd);
  std::vector<float> x(n);
  for (float& v : x) v = d(rng);
  return x;
}

TEST(NeuralDenoisePipelineTest, LoadsTheModelAndDescribesIt) {
  auto p = LoadGolden("tiny_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->info().sample_rate_hz, 16000);
  EXPECT_TRUE(p->info().streaming);
  EXPECT_EQ(p->info().metrics.at("fixture"), "1");
  // conv 161x16x3+16, lstm 4x16x(16+16)+2x64, linear 16x161+161; CMVN is not a parameter.
  EXPECT_EQ(p->info().parameter_count, 161 * 16 * 3 + 16 + 4 * 16 * 32 + 128 + 16 * 161 + 161);
  EXPECT_EQ(p->front_end().n_fft, 320);
  EXPECT_EQ(p->front_end().window, dsp::WindowType::kSqrtHann);
  EXPECT_FLOAT_EQ(p->front_end().log_floor, 1e-8f);
  EXPECT_EQ(p->cmvn_mean().size(), 161u);
}

TEST(NeuralDenoisePipelineTest, MatchesTheNumpyTorchReference) {
  auto p = LoadGolden("tiny_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = ReadPipelineFloats("pipeline_input.f32");
  const std::vector<float> reference = ReadPipelineFloats("denoise_reference.f32");
  ASSERT_EQ(x.size(), 4813u);
  ASSERT_EQ(reference.size(), x.size());
  const std::vector<float> y = Denoise(*p, x, 16000, 16000, 0);
  ASSERT_EQ(y.size(), x.size());
  EXPECT_LE(MaxAbsDiff(y, reference), 1e-4f);
  // The mask really does something: the output is far from the input.
  EXPECT_GT(MaxAbsDiff(y, x), 1e-2f);
}

TEST(NeuralDenoisePipelineTest, TenMillisecondChunksEqualTheWholeFile) {
  auto p = LoadGolden("tiny_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = ReadPipelineFloats("pipeline_input.f32");
  const std::vector<float> whole = Denoise(*p, x, 16000, 16000, 0);
  EXPECT_LE(MaxAbsDiff(Denoise(*p, x, 16000, 16000, 160), whole), 1e-6f);
  EXPECT_LE(MaxAbsDiff(Denoise(*p, x, 16000, 16000, 37), whole), 1e-6f);
  EXPECT_EQ(Denoise(*p, x, 16000, 16000, 160).size(), whole.size());
}

TEST(NeuralDenoisePipelineTest, ResamplesAndKeepsTheLengthAndChunkInvariance) {
  auto p = LoadGolden("tiny_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  const std::vector<float> x48 = Noise(48000 / 2 + 7, 3);
  const std::vector<float> whole = Denoise(*p, x48, 48000, 48000, 0);
  ASSERT_EQ(whole.size(), x48.size());
  const std::vector<float> chunked = Denoise(*p, x48, 48000, 48000, 480);
  ASSERT_EQ(chunked.size(), x48.size());
  EXPECT_LE(MaxAbsDiff(chunked, whole), 1e-5f);
  const std::vector<float> x441 = Noise(44100 / 3 + 1, 4);
  EXPECT_EQ(Denoise(*p, x441, 44100, 8000, 441).size(),
            static_cast<size_t>(std::llround(x441.size() * 8000.0 / 44100.0)));
  EXPECT_EQ(Denoise(*p, x441, 44100, 44100, 441).size(), x441.size());
  EXPECT_EQ(Denoise(*p, {}, 16000, 16000, 0).size(), 0u);
  EXPECT_EQ(p->CreateStream(16000, 96000).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(p->CreateStream(4000, 16000).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(NeuralDenoisePipelineTest, MaskOfOneReconstructsTheInput) {
  auto p = LoadGolden("identity_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->cmvn_mean().empty());
  const std::vector<float> x = ReadPipelineFloats("pipeline_input.f32");
  for (size_t chunk : {size_t{0}, size_t{160}, size_t{1000}}) {
    const std::vector<float> y = Denoise(*p, x, 16000, 16000, chunk);
    ASSERT_EQ(y.size(), x.size());
    EXPECT_LE(MaxAbsDiff(y, x), 1e-4f) << "chunk " << chunk;
  }
  absl::StatusOr<std::unique_ptr<DenoiseStream>> stream = p->CreateStream(16000, 16000);
  EXPECT_EQ((*stream)->DelaySamples(), 160);
  EXPECT_EQ((*p->CreateStream(48000, 16000))->DelaySamples(), 480);
}

TEST(NeuralDenoisePipelineTest, SteadyStateTenMillisecondChunksAllocateNothingInTheNetwork) {
  auto p = LoadGolden("tiny_denoise.safetensors");
  ASSERT_NE(p, nullptr);
  absl::StatusOr<std::unique_ptr<NeuralDenoiseStream>> stream =
      NeuralDenoiseStream::Create(p.get(), 16000, 16000);
  ASSERT_TRUE(stream.ok());
  const std::vector<float> x = Noise(16000, 5);
  std::vector<float> out;
  out.reserve(x.size() + 1000);
  const std::span<const float> all(x);
  for (size_t pos = 0; pos < 1600; pos += 160) {
    ASSERT_TRUE((*stream)->Accept(all.subspan(pos, 160), &out).ok());
  }
  const int64_t warm = (*stream)->workspace_heap_allocations();
  for (size_t pos = 1600; pos < x.size(); pos += 160) {
    ASSERT_TRUE((*stream)->Accept(all.subspan(pos, 160), &out).ok());
  }
  EXPECT_EQ((*stream)->workspace_heap_allocations(), warm);
}

// The valid stft_mask front end of tiny_denoise as JSON, with `changes` applied: each sets a
// field to a raw JSON value (appended when new), or removes it when the value is empty.
std::string StftMask(const std::vector<std::pair<std::string, std::string>>& changes) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"type", R"("stft_mask")"},   {"n_fft", "320"},
      {"win_length", "320"},        {"hop_length", "160"},
      {"window", R"("sqrt_hann")"}, {"log_floor", "1e-8"},
      {"mask", R"("real")"}};
  for (const auto& [key, value] : changes) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&key](const auto& field) { return field.first == key; });
    if (it == fields.end()) {
      fields.emplace_back(key, value);
    } else {
      it->second = value;
    }
  }
  std::string json;
  for (const auto& [key, value] : fields) {
    if (value.empty()) continue;
    json += (json.empty() ? "{\"" : ", \"") + key + "\": " + value;
  }
  return json + "}";
}

// Every field of the front end is read and checked, with a message naming it.
TEST(NeuralDenoisePipelineTest, BadFrontEndFieldsGiveClearErrors) {
  struct Case {
    std::string type;
    std::string json;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"log_mel", R"({"type": "log_mel"})", "front_end type \"log_mel\" is not supported"},
      {"stft_mask", StftMask({{"n_fft", ""}}), "missing field \"n_fft\""},
      {"stft_mask", StftMask({{"n_fft", "512"}}), "needs 257 -> 257"},
      {"stft_mask", StftMask({{"win_length", "400"}}),
       "win_length = 400 is outside 1..n_fft (320)"},
      {"stft_mask", StftMask({{"hop_length", "0"}}), "\"hop_length\" = 0 is outside"},
      {"stft_mask", StftMask({{"hop_length", "160.5"}}), "\"hop_length\" must be an integer"},
      {"stft_mask", StftMask({{"window", R"("kaiser")"}}), "kaiser"},
      {"stft_mask", StftMask({{"log_floor", "-1"}}), "log_floor = -1 must be a positive"},
      {"stft_mask", StftMask({{"log_floor", ""}}), "missing field \"log_floor\""},
      {"stft_mask", StftMask({{"mask", R"("complex")"}}),
       "mask \"complex\" is not supported; this build supports: real"},
      {"stft_mask", StftMask({{"center", "true"}}), "unknown field \"center\""},
      {"stft_mask", StftMask({{"periodic", "false"}}), "\"periodic\" must be true"},
      // valid: a rectangular window at hop = window inverts exactly
      {"stft_mask", StftMask({{"hop_length", "320"}, {"window", R"("rectangular")"}}), ""},
      {"stft_mask", StftMask({{"hop_length", "320"}, {"window", R"("hann")"}}),
       "cannot be inverted"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<nn::Network>> network =
        testing::NetworkWithFrontEnd("tiny_denoise.safetensors", c.type, c.json);
    ASSERT_TRUE(network.ok()) << network.status();
    absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> p =
        NeuralDenoisePipeline::Create(DenoiseInfo("bad"), *std::move(network));
    if (c.expected.empty()) {
      EXPECT_TRUE(p.ok()) << c.json << ": " << p.status();
      continue;
    }
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr(c.expected)) << c.json;
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("bad")) << c.json;
  }
}

TEST(NeuralDenoisePipelineTest, RejectsOtherTasksAndMissingFiles) {
  absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> emotion =
      NeuralDenoisePipeline::Load(DenoiseInfo("e"), PipelineGolden("tiny_emotion.safetensors"));
  EXPECT_EQ(emotion.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(emotion.status().message()), HasSubstr("has task \"emotion\""));
  absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> missing =
      NeuralDenoisePipeline::Load(DenoiseInfo("m"), PipelineGolden("nope.safetensors"));
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace auris::models
