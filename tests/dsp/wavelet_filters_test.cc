#include "dsp/wavelet_filters.h"

#include <cmath>
#include <numbers>
#include <string>

#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

class WaveletFiltersTest : public ::testing::TestWithParam<std::string> {};

TEST_P(WaveletFiltersTest, SatisfiesDefiningIdentities) {
  auto f = GetWaveletFilters(GetParam());
  ASSERT_TRUE(f.ok()) << f.status();
  const int n = f->vanishing_moments;
  const int len = f->length();
  ASSERT_EQ(len, 2 * n);
  const std::vector<double>& h = f->rec_lo;
  const std::vector<double>& g = f->rec_hi;
  double sum = 0.0;
  for (double v : h) sum += v;
  EXPECT_NEAR(sum, std::numbers::sqrt2, 1e-12);
  for (int k = 0; 2 * k < len; ++k) {
    double hh = 0.0, gg = 0.0, hg = 0.0;
    for (int i = 0; i + 2 * k < len; ++i) {
      hh += h[i] * h[i + 2 * k];
      gg += g[i] * g[i + 2 * k];
      hg += h[i] * g[i + 2 * k] + (k > 0 ? g[i] * h[i + 2 * k] : 0.0);
    }
    EXPECT_NEAR(hh, k == 0 ? 1.0 : 0.0, 1e-12) << "shift " << 2 * k;
    EXPECT_NEAR(gg, k == 0 ? 1.0 : 0.0, 1e-12) << "shift " << 2 * k;
    EXPECT_NEAR(hg, 0.0, 1e-12) << "shift " << 2 * k;
  }
  // Moments about the filter centre keep the sums small; tolerance relative to sum |terms|.
  const double centre = (len - 1) / 2.0;
  for (int p = 0; p < n; ++p) {
    double moment = 0.0, scale = 0.0;
    for (int i = 0; i < len; ++i) {
      const double term = std::pow(i - centre, p) * g[i];
      moment += term;
      scale += std::abs(term);
    }
    EXPECT_NEAR(moment, 0.0, 1e-12 * scale) << "moment " << p;
  }
  double moment_n = 0.0;
  for (int i = 0; i < len; ++i) moment_n += std::pow(i - centre, n) * g[i];
  EXPECT_GT(std::abs(moment_n), 1e-6) << "exactly N vanishing moments";
  for (int i = 0; i < len; ++i) {
    EXPECT_EQ(f->dec_lo[i], h[len - 1 - i]);
    EXPECT_EQ(f->dec_hi[i], g[len - 1 - i]);
  }
}

INSTANTIATE_TEST_SUITE_P(All, WaveletFiltersTest, ::testing::ValuesIn(WaveletFilterNames()));

TEST(WaveletFiltersTest, NamesAndPublishedValues) {
  EXPECT_EQ(WaveletFilterNames().size(), 19u);
  auto haar = GetWaveletFilters("haar");
  ASSERT_TRUE(haar.ok());
  EXPECT_EQ(haar->name, "db1");
  EXPECT_NEAR(haar->rec_hi[0], std::numbers::sqrt2 / 2, 1e-15);
  EXPECT_NEAR(haar->rec_hi[1], -std::numbers::sqrt2 / 2, 1e-15);
  auto db2 = GetWaveletFilters("db2");
  ASSERT_TRUE(db2.ok());
  const double s3 = std::sqrt(3.0), d = 4.0 * std::numbers::sqrt2;
  EXPECT_NEAR(db2->rec_lo[0], (1 + s3) / d, 1e-15);
  EXPECT_NEAR(db2->rec_lo[1], (3 + s3) / d, 1e-15);
  EXPECT_NEAR(db2->rec_lo[2], (3 - s3) / d, 1e-15);
  EXPECT_NEAR(db2->rec_lo[3], (1 - s3) / d, 1e-15);
  // PyWavelets' sym8 dec_lo[0] and db10 rec_lo[0] (their tables are accurate to ~1e-12).
  EXPECT_NEAR(GetWaveletFilters("sym8")->dec_lo[0], -0.0033824159510061256, 1e-11);
  EXPECT_NEAR(GetWaveletFilters("db10")->rec_lo[0], 0.026670057900950818, 1e-11);
  EXPECT_EQ(GetWaveletFilters("db11").status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(GetWaveletFilters("sym1").ok());
}

}  // namespace
}  // namespace auris::dsp
