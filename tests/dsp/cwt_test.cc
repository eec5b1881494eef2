#include "dsp/cwt.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "dsp/cwt_stream.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

std::vector<float> Noise(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

std::vector<float> Cosine(int n, double freq, double fs, float amplitude) {
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) {
    x[i] = amplitude * static_cast<float>(std::cos(2.0 * std::numbers::pi * freq * i / fs));
  }
  return x;
}

TEST(CwtConfigTest, ValidateNamesTheField) {
  CwtConfig c;
  EXPECT_TRUE(c.Validate().ok());
  EXPECT_EQ(c.num_scales(), 51);  // 8 voices * log2(4000 / 50) = 50.6
  c.fmax = 9000.0;
  EXPECT_NE(c.Validate().message().find("fmax"), std::string_view::npos);
  c = CwtConfig();
  c.bump_sigma = 6.0;
  EXPECT_NE(c.Validate().message().find("bump_mu"), std::string_view::npos);
  c = CwtConfig();
  c.voices_per_octave = 0;
  EXPECT_EQ(Cwt::Create(c).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(CwtConfig().ToString().find("wavelet=morlet"), std::string::npos);
  ASSERT_TRUE(CwtWaveletFromName("morse").ok());
  EXPECT_FALSE(CwtWaveletFromName("mexican_hat").ok());
}

class CwtWaveletTest : public ::testing::TestWithParam<CwtWavelet> {
 protected:
  CwtConfig Config() const {
    CwtConfig c;
    c.wavelet = GetParam();
    c.fmin = 100.0;
    c.fmax = 4000.0;  // Morlet and Morse spectra stay below 1e-6 at Nyquist: short support
    c.block_size = 4096;
    return c;
  }
};

TEST_P(CwtWaveletTest, PureTonePeaksAtNearestScale) {
  auto cwt = Cwt::Create(Config());
  ASSERT_TRUE(cwt.ok()) << cwt.status();
  const int n = 16000;
  for (int target : {5, 20, 33}) {
    const double f = (*cwt)->frequencies()[target];
    for (double detune : {0.0, 0.3, -0.3}) {
      const double tone = f * std::exp2(detune / Config().voices_per_octave);
      auto w = (*cwt)->Transform(Cosine(n, tone, 16000.0, 0.8f));
      ASSERT_TRUE(w.ok());
      int best = 0;
      std::vector<double> mean((*cwt)->num_scales(), 0.0);
      for (int k = 0; k < (*cwt)->num_scales(); ++k) {
        for (int t = n / 4; t < 3 * n / 4; ++t) mean[k] += (*w)[k * n + t];
        if (mean[k] > mean[best]) best = k;
      }
      EXPECT_EQ(best, target) << CwtWaveletName(GetParam()) << " tone " << tone;
      if (detune == 0.0) {
        EXPECT_NEAR(mean[target] / (n / 2), 0.8, 0.01);  // peak 2 normalisation
      }
    }
  }
}

TEST_P(CwtWaveletTest, AnalyticResponseToAToneHasConstantMagnitude) {
  auto cwt = Cwt::Create(Config());
  ASSERT_TRUE(cwt.ok());
  const int n = 4000;
  const double tone = 16000.0 * 250 / n;  // whole cycles: the periodic transform has no edges
  auto w = (*cwt)->Transform(Cosine(n, tone, 16000.0, 1.0f));
  ASSERT_TRUE(w.ok());
  for (int k = 0; k < (*cwt)->num_scales(); ++k) {
    const auto row = std::span<const float>(*w).subspan(k * n, n);
    const auto [lo, hi] = std::minmax_element(row.begin(), row.end());
    if (*hi < 0.05f) continue;  // scales far from the tone: only rounding noise
    EXPECT_LT(*hi - *lo, 1e-4f * *hi) << "scale " << k;
  }
}

TEST_P(CwtWaveletTest, MatchesNumpyGolden) {
  const std::string name = CwtWaveletName(GetParam());
  std::ifstream in(std::string(AURIS_SOURCE_DIR) + "/tests/dsp/golden/cwt_" + name + ".txt");
  ASSERT_TRUE(in.good());
  int n = 0, num_scales = 0;
  in >> n >> num_scales;
  std::vector<float> x(n);
  for (float& v : x) in >> v;
  std::vector<float> expected(static_cast<std::size_t>(num_scales) * n);
  for (float& v : expected) in >> v;
  ASSERT_TRUE(in.good());
  CwtConfig c;
  c.wavelet = GetParam();
  c.fmin = 250.0;
  c.fmax = 6000.0;
  c.voices_per_octave = 3;
  auto cwt = Cwt::Create(c);
  ASSERT_TRUE(cwt.ok());
  ASSERT_EQ((*cwt)->num_scales(), num_scales);
  auto w = (*cwt)->Transform(x);
  ASSERT_TRUE(w.ok());
  const float peak = *std::max_element(expected.begin(), expected.end());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_NEAR((*w)[i], expected[i], 2e-5f * peak) << "scale " << i / n << " t " << i % n;
  }
}

TEST_P(CwtWaveletTest, StreamMatchesWholeSignalOnTheInterior) {
  auto cwt = Cwt::Create(Config());
  ASSERT_TRUE(cwt.ok());
  std::shared_ptr<const Cwt> shared = *std::move(cwt);
  const int k_support = shared->support();
  const int n = 2 * k_support + 3000;
  const std::vector<float> x = Noise(n, 5);
  auto whole = shared->Transform(x);
  ASSERT_TRUE(whole.ok());
  const int scales = shared->num_scales();
  std::vector<std::vector<float>> runs;
  for (int chunk : {160, 777, n}) {
    auto stream = CwtStream::Create(shared);
    ASSERT_TRUE(stream.ok());
    std::vector<float> block, got(static_cast<std::size_t>(scales) * n);
    int t0 = 0;
    auto append = [&](int count) {
      for (int k = 0; k < scales; ++k) {
        std::copy_n(block.begin() + k * count, count, got.begin() + k * n + t0);
      }
      t0 += count;
    };
    for (int i = 0; i < n; i += chunk) {
      const int len = std::min(chunk, n - i);
      append((*stream)->Accept(std::span<const float>(x).subspan(i, len), &block));
      ASSERT_LE(t0, std::max(0, i + len - k_support));  // look-ahead is support samples
    }
    append((*stream)->Flush(&block));
    ASSERT_EQ(t0, n);
    runs.push_back(got);
  }
  EXPECT_EQ(runs[0], runs[1]);  // chunking never changes the output
  EXPECT_EQ(runs[0], runs[2]);
  float peak = 0.0f, worst = 0.0f;
  for (float v : *whole) peak = std::max(peak, v);
  for (int k = 0; k < scales; ++k) {
    for (int t = k_support; t < n - k_support; ++t) {
      worst = std::max(worst, std::abs(runs[0][k * n + t] - (*whole)[k * n + t]));
    }
  }
  EXPECT_LT(worst, 5e-6f * peak) << CwtWaveletName(GetParam()) << " support " << k_support;
}

INSTANTIATE_TEST_SUITE_P(All, CwtWaveletTest,
                         ::testing::Values(CwtWavelet::kMorlet, CwtWavelet::kMorse,
                                           CwtWavelet::kBump),
                         [](const auto& info) { return CwtWaveletName(info.param); });

TEST(CwtStreamTest, ReportsStateAndRejectsNull) {
  EXPECT_FALSE(CwtStream::Create(nullptr).ok());
  auto cwt = Cwt::Create(CwtConfig());
  ASSERT_TRUE(cwt.ok());
  auto stream = CwtStream::Create(*std::move(cwt));
  ASSERT_TRUE(stream.ok());
  EXPECT_GT((*stream)->StateBytes(), 0u);
  std::vector<float> out;
  EXPECT_EQ((*stream)->Flush(&out), 0);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace auris::dsp
