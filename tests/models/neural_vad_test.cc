// The shipped neural VAD (models/vad/vad.safetensors): parity with the recipe's PyTorch
// probabilities (golden files written by `vad.recipe export`), chunk invariance, other input
// rates, the decision rule, a steady state that allocates nothing, and clear errors.
#include "models/vad/neural_vad.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "dsp/resampler.h"
#include "nn/model_file.h"
#include "nn/network.h"
#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;

const std::string kModel = std::string(AURIS_SOURCE_DIR) + "/models/vad/vad.safetensors";

struct VadRun {
  std::vector<NeuralVadFrame> frames;
  std::vector<dsp::VadEvent> events;
};

VadRun Feed(NeuralVadStream& stream, std::span<const float> x, size_t chunk) {
  VadRun r;
  for (size_t pos = 0; pos < x.size(); pos += chunk) {
    EXPECT_TRUE(
        stream.Accept(x.subspan(pos, std::min(chunk, x.size() - pos)), &r.frames, &r.events).ok());
  }
  EXPECT_TRUE(stream.Flush(&r.frames, &r.events).ok());
  return r;
}

class NeuralVadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kModel)) GTEST_SKIP() << "not shipped: " << kModel;
    auto vad = NeuralVad::Load(kModel);
    ASSERT_TRUE(vad.ok()) << vad.status();
    vad_ = *std::move(vad);
    input_ = testing::ReadPipelineFloats("vad_parity_in.f32");
    expected_ = testing::ReadPipelineFloats("vad_parity_out.f32");
    ASSERT_FALSE(input_.empty());
    ASSERT_FALSE(expected_.empty());
  }

  VadRun Whole(const NeuralVadDecision* decision = nullptr) {
    auto stream = decision ? vad_->CreateStream(16000, *decision) : vad_->CreateStream(16000);
    EXPECT_TRUE(stream.ok()) << stream.status();
    return Feed(**stream, input_, input_.size());
  }

  std::unique_ptr<NeuralVad> vad_;
  std::vector<float> input_;
  std::vector<float> expected_;
};

TEST_F(NeuralVadTest, MatchesThePyTorchProbabilities) {
  const VadRun r = Whole();
  ASSERT_EQ(r.frames.size(), expected_.size());
  float worst = 0.0f;
  bool both = false;
  for (size_t t = 0; t < expected_.size(); ++t) {
    EXPECT_EQ(r.frames[t].index, static_cast<int64_t>(t));
    worst = std::max(worst, std::abs(r.frames[t].probability - expected_[t]));
    both = both || (expected_[t] > 0.9f);
  }
  EXPECT_LE(worst, 1e-4f);
  // The golden input holds a harmonic vowel and noise: the model must not say the same thing
  // everywhere (a constant output would make the parity check weak).
  EXPECT_TRUE(both);
  EXPECT_LT(*std::min_element(expected_.begin(), expected_.end()), 0.1f);
}

TEST_F(NeuralVadTest, ChunkingChangesNothing) {
  const VadRun whole = Whole();
  for (size_t chunk : {1u, 7u, 160u, 333u, 1600u}) {
    auto stream = vad_->CreateStream(16000);
    ASSERT_TRUE(stream.ok());
    const VadRun r = Feed(**stream, input_, chunk);
    ASSERT_EQ(r.frames.size(), whole.frames.size()) << chunk;
    for (size_t t = 0; t < r.frames.size(); ++t) {
      // One GEMM over many frames vs one per frame: rounding differs in the last bits.
      ASSERT_NEAR(r.frames[t].probability, whole.frames[t].probability, 1e-5) << chunk << " " << t;
      ASSERT_EQ(r.frames[t].speech, whole.frames[t].speech) << chunk << " " << t;
    }
    ASSERT_EQ(r.events.size(), whole.events.size()) << chunk;
    for (size_t i = 0; i < r.events.size(); ++i) {
      EXPECT_EQ(r.events[i].type, whole.events[i].type);
      EXPECT_EQ(r.events[i].sample, whole.events[i].sample);
    }
  }
}

// Speech flags follow the recipe's `decide` from the reported probabilities, and events sit
// at the flag changes (16 kHz: frame t starts at sample 160 t).
TEST_F(NeuralVadTest, DecisionsAreHysteresisWithHangover) {
  const NeuralVadDecision d{0.7f, 0.3f, 4};
  const VadRun r = Whole(&d);
  bool speech = false;
  int left = 0;
  std::vector<dsp::VadEvent> events;
  for (const NeuralVadFrame& f : r.frames) {
    const bool was = speech;
    if (!speech) {
      if (f.probability >= d.threshold_on) speech = true, left = d.hangover_frames;
    } else if (f.probability >= d.threshold_off) {
      left = d.hangover_frames;
    } else if (left > 0) {
      --left;
    } else {
      speech = false;
    }
    ASSERT_EQ(f.speech, speech) << f.index;
    if (speech != was) {
      events.push_back(
          {speech ? dsp::VadEvent::Type::kSpeechBegin : dsp::VadEvent::Type::kSpeechEnd,
           f.index * 160});
    }
  }
  if (speech) {
    events.push_back(
        {dsp::VadEvent::Type::kSpeechEnd, static_cast<long long>(r.frames.size()) * 160});
  }
  ASSERT_FALSE(events.empty());
  ASSERT_EQ(r.events.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(r.events[i].type, events[i].type);
    EXPECT_EQ(r.events[i].sample, events[i].sample);
  }
  // A hangover keeps speech at least as long as without one.
  const NeuralVadDecision none{0.7f, 0.3f, 0};
  const VadRun plain = Whole(&none);
  int with = 0, without = 0;
  for (size_t t = 0; t < r.frames.size(); ++t) {
    with += r.frames[t].speech;
    without += plain.frames[t].speech;
    EXPECT_TRUE(!plain.frames[t].speech || r.frames[t].speech) << t;
  }
  EXPECT_GT(with, without);
}

// Other input rates are resampled to the model's 16 kHz. At 44.1 kHz the decisions are those
// at 16 kHz up to resampling error; at 8 kHz (no energy above 4 kHz) the harmonic vowel of the
// golden input (0.5-1.7 s, Hann-shaped fade in and out) is still speech and the quiet noise
// before it is not. Event samples are at the input rate.
TEST_F(NeuralVadTest, OtherInputRates) {
  const VadRun ref = Whole();
  for (int rate : {8000, 44100}) {
    auto to = dsp::Resampler::Create(16000, rate);
    ASSERT_TRUE(to.ok());
    std::vector<float> x;
    (*to)->Accept(input_, &x);
    (*to)->Flush(&x);
    auto stream = vad_->CreateStream(rate);
    ASSERT_TRUE(stream.ok()) << stream.status();
    const VadRun r = Feed(**stream, x, 441);
    ASSERT_NEAR(static_cast<double>(r.frames.size()), static_cast<double>(ref.frames.size()), 2.0);
    int vowel = 0, quiet = 0, agree = 0;
    for (size_t t = 0; t < std::min(r.frames.size(), ref.frames.size()); ++t) {
      vowel += t >= 60 && t < 160 && r.frames[t].speech;
      quiet += t < 45 && r.frames[t].speech;
      agree += r.frames[t].speech == ref.frames[t].speech;
    }
    EXPECT_GE(vowel, 80) << rate;
    EXPECT_EQ(quiet, 0) << rate;
    if (rate == 44100) {
      EXPECT_GE(agree, static_cast<int>(0.97 * ref.frames.size()));
    }
    ASSERT_FALSE(r.events.empty());
    EXPECT_EQ(r.events.front().type, dsp::VadEvent::Type::kSpeechBegin);
    // The first begin is at the input rate, where it is at 16 kHz (the vowel fades in, so
    // narrow-band input may cross the threshold a few frames later).
    ASSERT_FALSE(ref.events.empty());
    EXPECT_NEAR(static_cast<double>(r.events.front().sample) / rate,
                static_cast<double>(ref.events.front().sample) / 16000, 0.04)
        << rate;
  }
}

TEST_F(NeuralVadTest, SteadyStateAllocatesNothing) {
  auto stream = vad_->CreateStream(16000);
  ASSERT_TRUE(stream.ok());
  std::vector<NeuralVadFrame> frames;
  frames.reserve(4000);
  for (int round = 0; round < 3; ++round) {
    for (size_t pos = 0; pos + 160 <= input_.size(); pos += 160) {
      ASSERT_TRUE((*stream)
                      ->Accept(std::span<const float>(input_).subspan(pos, 160), &frames, nullptr)
                      .ok());
    }
    frames.clear();
  }
  const int64_t warm = (*stream)->workspace_heap_allocations();
  for (size_t pos = 0; pos + 160 <= input_.size(); pos += 160) {
    ASSERT_TRUE(
        (*stream)->Accept(std::span<const float>(input_).subspan(pos, 160), &frames, nullptr).ok());
  }
  EXPECT_EQ((*stream)->workspace_heap_allocations(), warm);
}

// The shipped weights with streaming.look_ahead_frames set to `look_ahead`.
absl::StatusOr<std::unique_ptr<NeuralVad>> WithLookAhead(int64_t look_ahead) {
  absl::StatusOr<nn::ModelFile> file = nn::LoadModelFile(kModel);
  if (!file.ok()) return file.status();
  file->metadata.look_ahead_frames = look_ahead;
  absl::StatusOr<std::unique_ptr<nn::Network>> net = nn::Network::FromModelFile(*std::move(file));
  if (!net.ok()) return net.status();
  return NeuralVad::Create(*std::move(net), "look-ahead " + std::to_string(look_ahead));
}

// With look-ahead L the output the network gives at analysis frame t + L decides frame t:
// the same frames come out (the last L after Flush, from the silence rows), L frames later,
// and frame t carries the probability that frame t + L has without look-ahead.
TEST_F(NeuralVadTest, LookAheadDecidesEachFrameLFramesLater) {
  constexpr int kL = 7;
  auto plain = WithLookAhead(0);
  auto ahead = WithLookAhead(kL);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_TRUE(ahead.ok()) << ahead.status();
  EXPECT_EQ((*ahead)->look_ahead_frames(), kL);
  auto s0 = (*plain)->CreateStream(16000);
  auto sl = (*ahead)->CreateStream(16000);
  ASSERT_TRUE(s0.ok() && sl.ok());
  // 1 s in: 98 whole analysis frames; without look-ahead all are decided, with it 98 - L.
  const std::span<const float> first = std::span<const float>(input_).first(16000);
  VadRun r0, rl;
  ASSERT_TRUE((*s0)->Accept(first, &r0.frames, nullptr).ok());
  ASSERT_TRUE((*sl)->Accept(first, &rl.frames, nullptr).ok());
  ASSERT_EQ(r0.frames.size(), 98u);
  ASSERT_EQ(rl.frames.size(), 98u - kL);
  const std::span<const float> rest = std::span<const float>(input_).subspan(16000);
  ASSERT_TRUE((*s0)->Accept(rest, &r0.frames, nullptr).ok());
  ASSERT_TRUE((*sl)->Accept(rest, &rl.frames, nullptr).ok());
  ASSERT_TRUE((*s0)->Flush(&r0.frames, nullptr).ok());
  ASSERT_TRUE((*sl)->Flush(&rl.frames, nullptr).ok());
  ASSERT_EQ(rl.frames.size(), r0.frames.size());
  for (size_t t = 0; t < rl.frames.size(); ++t) {
    ASSERT_EQ(rl.frames[t].index, static_cast<int64_t>(t));
    if (t + kL < r0.frames.size()) {
      ASSERT_NEAR(rl.frames[t].probability, r0.frames[t + kL].probability, 1e-5) << t;
    }
    ASSERT_TRUE(rl.frames[t].probability >= 0.0f && rl.frames[t].probability <= 1.0f);
  }
  // The golden input ends in low-level noise: after it, digital silence is not speech.
  EXPECT_LT(rl.frames.back().probability, 0.5f);
}

TEST_F(NeuralVadTest, LookAheadOutsideTheAllowedRangeIsRejected) {
  for (int64_t bad : {int64_t{-1}, int64_t{NeuralVad::kMaxLookAheadFrames + 1}}) {
    auto vad = WithLookAhead(bad);
    ASSERT_FALSE(vad.ok()) << bad;
    EXPECT_EQ(vad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(vad.status().message(), HasSubstr("streaming.look_ahead_frames " +
                                                  std::to_string(bad) + " must be in 0..100"));
  }
}

TEST_F(NeuralVadTest, BadArgumentsSayWhatIsAllowed) {
  auto low = vad_->CreateStream(4000);
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(low.status().message(), HasSubstr("8000..48000"));
  const NeuralVadDecision inverted{0.2f, 0.6f, 0};
  auto bad = vad_->CreateStream(16000, inverted);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("threshold_on 0.2 must be in threshold_off"));
  const NeuralVadDecision hang{0.5f, 0.5f, -1};
  EXPECT_THAT(vad_->CreateStream(16000, hang).status().message(),
              HasSubstr("hangover_frames -1 must be in 0..1000"));
}

TEST(NeuralVadLoadTest, RejectsOtherTasksAndMissingFiles) {
  const std::string asr = std::string(AURIS_SOURCE_DIR) + "/models/asr/asr.safetensors";
  if (!std::filesystem::exists(asr)) GTEST_SKIP() << "no asr model";
  auto wrong = NeuralVad::Load(asr);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(wrong.status().message(), HasSubstr("has task \"asr\""));
  auto missing = NeuralVad::Load("/nonexistent/vad.safetensors");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace auris::models
