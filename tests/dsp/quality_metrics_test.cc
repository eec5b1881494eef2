#include "dsp/quality_metrics.h"

#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

std::vector<float> Noise(int n, float stddev, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

TEST(QualityMetricsTest, SiSdrIsScaleInvariantAndMatchesMixingSnr) {
  const std::vector<float> ref = Noise(16000, 0.1f, 1);
  const std::vector<float> noise = Noise(16000, 0.01f, 2);
  std::vector<float> est(ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) est[i] = 3.0f * (ref[i] + noise[i]);
  EXPECT_NEAR(SiSdrDb(ref, est), 20.0, 0.3);
  std::vector<float> unscaled(ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) unscaled[i] = ref[i] + noise[i];
  EXPECT_NEAR(SiSdrDb(ref, est), SiSdrDb(ref, unscaled), 1e-6);
}

TEST(QualityMetricsTest, SnrIsNotScaleInvariant) {
  const std::vector<float> ref = Noise(8000, 0.1f, 3);
  std::vector<float> half(ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) half[i] = 0.5f * ref[i];
  EXPECT_NEAR(SnrDb(ref, half), 20.0 * std::log10(2.0), 1e-4);
  EXPECT_GT(SiSdrDb(ref, half), 100.0);
}

TEST(QualityMetricsTest, UsesCommonLengthAndRemovesMean) {
  const std::vector<float> ref = Noise(1000, 0.1f, 4);
  std::vector<float> est(ref.begin(), ref.end());
  for (float& v : est) v += 0.5f;
  est.resize(1500, 0.5f);
  EXPECT_GT(SiSdrDb(ref, est), 100.0);
}

TEST(QualityMetricsTest, DegenerateInputsDoNotProduceNan) {
  const std::vector<float> zeros(100, 0.0f);
  const std::vector<float> ref = Noise(100, 0.1f, 5);
  EXPECT_FALSE(std::isnan(SiSdrDb(zeros, ref)));
  EXPECT_FALSE(std::isnan(SiSdrDb(ref, zeros)));
  EXPECT_FALSE(std::isnan(SnrDb(zeros, zeros)));
  EXPECT_TRUE(std::isinf(SnrDb(ref, ref)));
}

}  // namespace
}  // namespace auris::dsp
