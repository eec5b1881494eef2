#include "dsp/feature_extractor.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/common/golden_floats.h"

namespace auris::dsp {
namespace {

std::vector<float> ReadGolden(const std::string& name) { return testing::ReadDspGolden(name); }

std::vector<float> Noise(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  float err = 0.0f;
  for (std::size_t i = 0; i < a.size(); ++i) err = std::max(err, std::abs(a[i] - b[i]));
  return err;
}

FeatureConfig MfccConfig() {
  FeatureConfig c;
  c.preemphasis = 0.97f;
  c.n_ceps = 13;
  c.delta_order = 2;
  return c;
}

TEST(FeatureExtractorTest, LogMelMatchesNumpyGolden) {
  const std::vector<float> x = ReadGolden("frontend_input.f32");
  const std::vector<float> want = ReadGolden("frontend_logmel.f32");
  ASSERT_EQ(x.size(), 8000u);
  ASSERT_EQ(want.size(), 48u * 80u);
  absl::StatusOr<std::vector<float>> got = FeatureExtractor::Compute(FeatureConfig(), x);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), want.size());
  // float32 FFT rounding sits ~80 dB under a frame's peak, so 1e-4 holds for mel energies
  // within 60 dB of their frame's largest; deeper cells (here: narrow low filters at random
  // spectral nulls) get 2e-3.
  constexpr float kDynamicRange = 13.815511f;  // ln(1e6)
  int deep_cells = 0;
  for (std::size_t t = 0; t < 48; ++t) {
    const float peak = *std::max_element(want.begin() + t * 80, want.begin() + t * 80 + 80);
    for (std::size_t m = 0; m < 80; ++m) {
      const float w = want[t * 80 + m];
      const bool deep = w < peak - kDynamicRange;
      deep_cells += deep ? 1 : 0;
      EXPECT_NEAR((*got)[t * 80 + m], w, deep ? 2e-3f : 1e-4f) << "frame " << t << " mel " << m;
    }
  }
  EXPECT_LE(deep_cells, 16);                                                      // of 3840
  EXPECT_FLOAT_EQ(*std::min_element(got->begin(), got->end()), std::log(1e-6f));  // floor hit
}

TEST(FeatureExtractorTest, MfccWithDeltasMatchesNumpyGolden) {
  const std::vector<float> x = ReadGolden("frontend_input.f32");
  const std::vector<float> want = ReadGolden("frontend_mfcc.f32");
  ASSERT_EQ(want.size(), 48u * 39u);
  absl::StatusOr<std::vector<float>> got = FeatureExtractor::Compute(MfccConfig(), x);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), want.size());
  // Cepstra sum 80 log energies and are liftered by up to 12x: allow 1e-3 absolute.
  EXPECT_LE(MaxAbsDiff(*got, want), 1e-3f);
}

TEST(FeatureExtractorTest, PureToneLandsInItsMelBin) {
  FeatureConfig c;
  for (double hz : {300.0, 1000.0, 3000.0, 6000.0}) {
    std::vector<float> x(4000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      x[i] = 0.5f * static_cast<float>(std::sin(2.0 * std::numbers::pi * hz * i / 16000.0));
    }
    absl::StatusOr<std::vector<float>> f = FeatureExtractor::Compute(c, x);
    ASSERT_TRUE(f.ok());
    // Filter m peaks at edge m+1 of n_mels+2 mel-spaced edges over [fmin, fmax].
    const double lo = MelFilterbank::HzToMel(c.fmin, MelScale::kHtk);
    const double hi = MelFilterbank::HzToMel(c.fmax, MelScale::kHtk);
    const double position = (MelFilterbank::HzToMel(hz, MelScale::kHtk) - lo) / (hi - lo) * 81;
    const int expected = static_cast<int>(std::lround(position)) - 1;
    const std::size_t frames = f->size() / 80;
    ASSERT_EQ(frames, (4000u - 400u) / 160u + 1u);
    for (std::size_t t = 0; t < frames; ++t) {
      const float* row = f->data() + t * 80;
      const int best = static_cast<int>(std::max_element(row, row + 80) - row);
      EXPECT_NEAR(best, expected, 1) << hz << " Hz, frame " << t;
    }
  }
}

class ChunkInvarianceTest : public ::testing::TestWithParam<int> {};

TEST_P(ChunkInvarianceTest, ChunkedFramesAreBitIdentical) {
  const int chunk = GetParam();
  const std::vector<float> x = Noise(5123, 5);
  FeatureConfig running = MfccConfig();
  running.cmvn = CmvnMode::kRunningMean;
  for (const FeatureConfig& c : {FeatureConfig(), running}) {
    absl::StatusOr<std::vector<float>> whole = FeatureExtractor::Compute(c, x);
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->size(), static_cast<std::size_t>((5123 - 400) / 160 + 1) * c.feature_dim());
    auto fe = FeatureExtractor::Create(c);
    ASSERT_TRUE(fe.ok());
    for (int pass = 0; pass < 2; ++pass) {  // the second pass checks Flush() resets the stream
      std::vector<float> chunked;
      for (std::size_t i = 0; i < x.size(); i += chunk) {
        const std::size_t n = std::min<std::size_t>(chunk, x.size() - i);
        (*fe)->Accept(std::span<const float>(x).subspan(i, n), &chunked);
      }
      (*fe)->Flush(&chunked);
      EXPECT_EQ(chunked, *whole) << c.ToString() << " chunk " << chunk << " pass " << pass;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Chunks, ChunkInvarianceTest, ::testing::Values(1, 7, 160, 1600));

TEST(FeatureExtractorTest, DeltaLookAheadHoldsBackRowsUntilFlush) {
  FeatureConfig c = MfccConfig();
  auto fe = FeatureExtractor::Create(c);
  ASSERT_TRUE(fe.ok());
  EXPECT_EQ(c.lookahead_frames(), 4);
  EXPECT_EQ(c.feature_dim(), 39);
  const std::vector<float> x = Noise(400 + 9 * 160, 9);  // exactly 10 frames
  std::vector<float> f;
  (*fe)->Accept(x, &f);
  EXPECT_EQ(f.size(), 6u * 39u);
  (*fe)->Flush(&f);
  EXPECT_EQ(f.size(), 10u * 39u);
  FeatureConfig plain;
  auto lm = FeatureExtractor::Create(plain);
  std::vector<float> g;
  (*lm)->Accept(std::span<const float>(x).first(399), &g);
  (*lm)->Flush(&g);
  EXPECT_TRUE(g.empty());  // a partial frame is never emitted
}

TEST(DeltaFeaturesTest, RampHasUnitSlopeAndEdgesReplicate) {
  DeltaConfig c;
  c.dim = 1;
  auto deltas = DeltaFeatures::Create(c);
  ASSERT_TRUE(deltas.ok());
  std::vector<float> out;
  for (int t = 0; t < 10; ++t) {
    const float v = static_cast<float>(t);
    (*deltas)->Accept(std::span<const float>(&v, 1), &out);
  }
  ASSERT_EQ(out.size(), 6u * 3u);
  (*deltas)->Flush(&out);
  ASSERT_EQ(out.size(), 10u * 3u);
  // Interior: d = 1, dd = 0. Frame 0 with replicated edges: (1*(1-0) + 2*(2-0)) / 10 = 0.5.
  EXPECT_FLOAT_EQ(out[5 * 3 + 1], 1.0f);
  EXPECT_FLOAT_EQ(out[5 * 3 + 2], 0.0f);
  EXPECT_FLOAT_EQ(out[0 * 3 + 1], 0.5f);
  EXPECT_FLOAT_EQ(out[9 * 3 + 1], 0.5f);
  EXPECT_FLOAT_EQ(out[9 * 3 + 0], 9.0f);
  c.window = 0;
  EXPECT_EQ(c.Validate().message(), "DeltaConfig.window = 0 outside 1..10");
}

TEST(FeatureExtractorTest, GlobalCmvnNormalisesEachBin) {
  const std::vector<float> x = Noise(4000, 21);
  FeatureConfig plain;
  std::vector<float> raw = *FeatureExtractor::Compute(plain, x);
  FeatureConfig c;
  c.cmvn = CmvnMode::kGlobal;
  for (int i = 0; i < 80; ++i) {
    c.cmvn_mean.push_back(-3.0f + 0.05f * i);
    c.cmvn_std.push_back(0.5f + 0.01f * i);
  }
  absl::StatusOr<std::vector<float>> norm = FeatureExtractor::Compute(c, x);
  ASSERT_TRUE(norm.ok()) << norm.status();
  ASSERT_EQ(norm->size(), raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const int bin = static_cast<int>(i % 80);
    EXPECT_NEAR((*norm)[i], (raw[i] - c.cmvn_mean[bin]) / c.cmvn_std[bin], 1e-5f);
  }
}

TEST(FeatureExtractorTest, RunningMeanCmvnSubtractsCausalMean) {
  const std::vector<float> x = Noise(4000, 22);
  FeatureConfig plain;
  std::vector<float> raw = *FeatureExtractor::Compute(plain, x);
  FeatureConfig c;
  c.cmvn = CmvnMode::kRunningMean;
  std::vector<float> norm = *FeatureExtractor::Compute(c, x);
  ASSERT_EQ(norm.size(), raw.size());
  std::vector<double> sum(80, 0.0);
  for (std::size_t t = 0; t < raw.size() / 80; ++t) {
    for (int j = 0; j < 80; ++j) {
      sum[j] += raw[t * 80 + j];
      EXPECT_NEAR(norm[t * 80 + j], raw[t * 80 + j] - sum[j] / (t + 1), 1e-5) << t << "," << j;
    }
  }
  for (int j = 0; j < 80; ++j) EXPECT_EQ(norm[j], 0.0f);  // frame 0 minus itself
}

TEST(FeatureExtractorTest, ValidateNamesFieldAndAllowedRange) {
  auto message = [](const FeatureConfig& c) { return std::string(c.Validate().message()); };
  FeatureConfig c;
  EXPECT_TRUE(c.Validate().ok());
  c.frame_length = 600;
  EXPECT_EQ(message(c), "FeatureConfig.frame_length = 600 outside 1..n_fft (512)");
  c = FeatureConfig();
  c.hop = 0;
  EXPECT_EQ(message(c), "FeatureConfig.hop = 0 outside 1..frame_length (400)");
  c = FeatureConfig();
  c.n_ceps = 81;
  EXPECT_EQ(message(c), "FeatureConfig.n_ceps = 81 outside 0..n_mels (80)");
  c = FeatureConfig();
  c.fmax = 9000;
  EXPECT_EQ(message(c), "FeatureConfig.fmax = 9000 outside (0, sample_rate/2 = 8000]");
  c = FeatureConfig();
  c.preemphasis = 1.0f;
  EXPECT_EQ(message(c), "FeatureConfig.preemphasis = 1 outside [0, 1)");
  c = FeatureConfig();
  c.delta_order = 3;
  EXPECT_EQ(message(c), "FeatureConfig.delta_order = 3 outside 0..2");
  c = FeatureConfig();
  c.log_floor = 0.0f;
  EXPECT_EQ(message(c), "FeatureConfig.log_floor = 0 outside (0, inf)");
  c = FeatureConfig();
  c.cmvn = CmvnMode::kGlobal;
  EXPECT_EQ(message(c), "FeatureConfig.cmvn_mean.size() = 0 outside {feature_dim = 80}");
  c.cmvn_mean.assign(80, 0.0f);
  c.cmvn_std.assign(80, 1.0f);
  c.cmvn_std[5] = 0.0f;
  EXPECT_EQ(message(c), "FeatureConfig.cmvn_std[5] = 0 outside (0, inf)");
  EXPECT_EQ(FeatureExtractor::Create(c).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(FeatureConfig().ToString().find("n_mels=80"), std::string::npos);
}

}  // namespace
}  // namespace auris::dsp
