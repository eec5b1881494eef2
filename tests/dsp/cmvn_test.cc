#include "dsp/cmvn.h"

#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

constexpr int kDim = 13;
constexpr int kRows = 57;

std::vector<float> Rows(unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(-4.0f, 2.0f);
  std::vector<float> x(kDim * kRows);
  for (float& v : x) v = dist(rng);
  return x;
}

CmvnConfig GlobalConfig() {
  CmvnConfig c;
  c.mode = CmvnMode::kGlobal;
  c.dim = kDim;
  for (int i = 0; i < kDim; ++i) {
    c.mean.push_back(-4.0f + 0.1f * i);
    c.std.push_back(0.5f + 0.2f * i);
  }
  return c;
}

TEST(CmvnTest, GlobalMatchesNumpyFormula) {
  const CmvnConfig c = GlobalConfig();
  auto cmvn = Cmvn::Create(c);
  ASSERT_TRUE(cmvn.ok()) << cmvn.status();
  const std::vector<float> x = Rows(1);
  std::vector<float> y = x;
  (*cmvn)->Apply(y);
  // numpy: (x.reshape(T, D) - mean) / std
  for (int t = 0; t < kRows; ++t) {
    for (int i = 0; i < kDim; ++i) {
      const double expected = (double{x[t * kDim + i]} - c.mean[i]) / c.std[i];
      EXPECT_NEAR(y[t * kDim + i], expected, 1e-6 * (1.0 + std::abs(expected)));
    }
  }
}

TEST(CmvnTest, RunningMeanMatchesNumpyFormulaForAnySplit) {
  CmvnConfig c;
  c.mode = CmvnMode::kRunningMean;
  c.dim = kDim;
  auto whole = Cmvn::Create(c);
  auto split = Cmvn::Create(c);
  ASSERT_TRUE(whole.ok() && split.ok());
  const std::vector<float> x = Rows(2);
  std::vector<float> a = x, b = x;
  (*whole)->Apply(a);
  for (int t = 0; t < kRows;) {  // rows in pieces of 1, 2, 3, ... rows
    const int rows = std::min(1 + t % 4, kRows - t);
    (*split)->Apply(std::span<float>(b).subspan(t * kDim, rows * kDim));
    t += rows;
  }
  EXPECT_EQ(a, b);
  // numpy: x - np.cumsum(x, axis=0) / np.arange(1, T + 1)[:, None]
  std::vector<double> sum(kDim, 0.0);
  for (int t = 0; t < kRows; ++t) {
    for (int i = 0; i < kDim; ++i) {
      sum[i] += x[t * kDim + i];
      const double expected = x[t * kDim + i] - sum[i] / (t + 1);
      EXPECT_NEAR(a[t * kDim + i], expected, 1e-5) << t << "," << i;
    }
  }
  (*whole)->Reset();
  std::vector<float> again = x;
  (*whole)->Apply(again);
  EXPECT_EQ(again, a);
}

TEST(CmvnTest, NoneLeavesRowsAlone) {
  CmvnConfig c;
  c.dim = kDim;
  auto cmvn = Cmvn::Create(c);
  ASSERT_TRUE(cmvn.ok());
  const std::vector<float> x = Rows(3);
  std::vector<float> y = x;
  (*cmvn)->Apply(y);
  EXPECT_EQ(x, y);
}

TEST(CmvnConfigTest, ValidateNamesTheProblem) {
  CmvnConfig c = GlobalConfig();
  EXPECT_TRUE(c.Validate().ok());
  c.std[4] = 0.0f;
  EXPECT_NE(c.Validate().message().find("std[4]"), std::string_view::npos);
  c = GlobalConfig();
  c.mean.pop_back();
  EXPECT_EQ(c.Validate().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.Validate().message().find("dim = 13"), std::string_view::npos);
  c.dim = 0;
  EXPECT_NE(c.Validate().message().find("CmvnConfig.dim"), std::string_view::npos);
  EXPECT_EQ(GlobalConfig().ToString(), "CmvnConfig(mode=global, dim=13)");
}

}  // namespace
}  // namespace auris::dsp
