#include "dsp/dwt.h"

#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "dsp/wavelet_filters.h"
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

double Energy(std::span<const float> x) {
  double e = 0.0;
  for (float v : x) e += double{v} * v;
  return e;
}

TEST(DwtConfigTest, ValidateNamesTheField) {
  DwtConfig c;
  c.wavelet = "db42";
  EXPECT_NE(c.Validate().message().find("wavelet"), std::string_view::npos);
  c = DwtConfig();
  c.levels = 0;
  EXPECT_EQ(c.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.Validate().message().find("levels"), std::string_view::npos);
  EXPECT_NE(DwtConfig().ToString().find("wavelet=db4"), std::string::npos);
  EXPECT_FALSE(Dwt::Create(c).ok());
}

class DwtRoundTripTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(DwtRoundTripTest, SynthesisInvertsAnalysis) {
  const auto& [wavelet, levels] = GetParam();
  DwtConfig c;
  c.wavelet = wavelet;
  c.levels = levels;
  auto dwt = Dwt::Create(c);
  ASSERT_TRUE(dwt.ok()) << dwt.status();
  for (int n : {37, 64, 100, 257, 1000}) {
    const std::vector<float> x = Noise(n, n + levels);
    auto coeffs = (*dwt)->Analyze(x);
    ASSERT_TRUE(coeffs.ok()) << coeffs.status();
    ASSERT_EQ(coeffs->details.size(), static_cast<std::size_t>(levels));
    auto y = (*dwt)->Synthesize(*coeffs);
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_EQ(y->size(), x.size());
    for (int i = 0; i < n; ++i)
      ASSERT_NEAR((*y)[i], x[i], 1e-6) << wavelet << " n=" << n << " i=" << i;
  }
}

TEST_P(DwtRoundTripTest, PeriodizedTransformPreservesEnergy) {
  const auto& [wavelet, levels] = GetParam();
  DwtConfig c;
  c.wavelet = wavelet;
  c.levels = levels;
  auto dwt = Dwt::Create(c);
  ASSERT_TRUE(dwt.ok());
  const std::vector<float> x = Noise(32 * 9, 11);  // divisible by 2^5: no extension
  auto coeffs = (*dwt)->Analyze(x);
  ASSERT_TRUE(coeffs.ok());
  double e = Energy(coeffs->approximation);
  for (const auto& d : coeffs->details) e += Energy(d);
  EXPECT_NEAR(e, Energy(x), 1e-5 * Energy(x));
}

std::vector<std::string> AllWavelets() { return WaveletFilterNames(); }

INSTANTIATE_TEST_SUITE_P(All, DwtRoundTripTest,
                         ::testing::Combine(::testing::ValuesIn(AllWavelets()),
                                            ::testing::Range(1, 6)));

TEST(DwtTest, HaarMatchesHandComputedValues) {
  DwtConfig c;
  c.wavelet = "haar";
  c.levels = 2;
  auto dwt = Dwt::Create(c);
  ASSERT_TRUE(dwt.ok());
  const std::vector<float> x = {1, 3, 5, 11, 2, 2, 0, -4};
  auto coeffs = (*dwt)->Analyze(x);
  ASSERT_TRUE(coeffs.ok());
  const float r = static_cast<float>(std::numbers::sqrt2 / 2);
  // Level 1: a = (x0+x1)/sqrt2, d = (x0-x1)/sqrt2 -> a1 = {4, 16, 4, -4} r.
  const std::vector<float> d1 = {-2 * r, -6 * r, 0, 4 * r};
  // Level 2 on a1: a2 = {20, 0} r^2 = {10, 0}, d2 = {-12, 8} r^2 = {-6, 4}.
  ASSERT_EQ(coeffs->details[0].size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(coeffs->details[0][i], d1[i], 1e-6);
  EXPECT_NEAR(coeffs->details[1][0], -6.0f, 1e-6);
  EXPECT_NEAR(coeffs->details[1][1], 4.0f, 1e-6);
  EXPECT_NEAR(coeffs->approximation[0], 10.0f, 1e-6);
  EXPECT_NEAR(coeffs->approximation[1], 0.0f, 1e-6);
  // Odd length: the last sample is repeated, so its detail is zero.
  auto odd = (*dwt)->Analyze(std::vector<float>{1, 3, 5});
  ASSERT_TRUE(odd.ok());
  EXPECT_NEAR(odd->details[0][1], 0.0f, 1e-6);
  EXPECT_NEAR(odd->details[0][0], -2 * r, 1e-6);
}

TEST(DwtTest, MatchesNumpyGolden) {
  std::ifstream in(std::string(AURIS_SOURCE_DIR) + "/tests/dsp/golden/dwt_db4.txt");
  ASSERT_TRUE(in.good());
  int n = 0, levels = 0;
  in >> n >> levels;
  std::vector<float> x(n);
  for (float& v : x) in >> v;
  DwtConfig c;
  c.wavelet = "db4";
  c.levels = levels;
  auto dwt = Dwt::Create(c);
  ASSERT_TRUE(dwt.ok());
  auto coeffs = (*dwt)->Analyze(x);
  ASSERT_TRUE(coeffs.ok());
  std::vector<std::vector<float>> got = {coeffs->approximation};
  for (int j = levels - 1; j >= 0; --j) got.push_back(coeffs->details[j]);
  for (const auto& level : got) {
    for (std::size_t i = 0; i < level.size(); ++i) {
      float expected = 0.0f;
      in >> expected;
      ASSERT_NEAR(level[i], expected, 1e-5f * (1.0f + std::abs(expected))) << i;
    }
  }
  ASSERT_TRUE(in.good());
  std::string rest;
  in >> rest;
  EXPECT_TRUE(rest.empty()) << "golden has more coefficients than Analyze returned";
}

TEST(DwtTest, RejectsTooShortAndInconsistentInput) {
  DwtConfig c;
  c.levels = 4;
  auto dwt = Dwt::Create(c);
  ASSERT_TRUE(dwt.ok());
  EXPECT_EQ((*dwt)->Analyze(std::vector<float>(5, 1.0f)).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto coeffs = (*dwt)->Analyze(Noise(50, 1));
  ASSERT_TRUE(coeffs.ok());
  coeffs->details[1].pop_back();
  EXPECT_FALSE((*dwt)->Synthesize(*coeffs).ok());
}

}  // namespace
}  // namespace auris::dsp
