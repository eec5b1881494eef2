#include "dsp/mel_filterbank.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/common/golden_floats.h"

namespace auris::dsp {
namespace {

std::vector<float> ReadGolden(const std::string& name) { return testing::ReadDspGolden(name); }

// Largest |got - want| relative to the largest weight of the matrix.
double MaxRelativeError(const std::vector<float>& got, const std::vector<float>& want) {
  float peak = 0.0f;
  for (float w : want) peak = std::max(peak, std::abs(w));
  double err = 0.0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    err = std::max(err, static_cast<double>(std::abs(got[i] - want[i])) / peak);
  }
  return err;
}

TEST(MelFilterbankTest, HtkMatchesNumpyGolden) {
  const std::vector<float> want = ReadGolden("frontend_mel_htk_80_512.f32");
  ASSERT_EQ(want.size(), 80u * 257u);
  auto bank = MelFilterbank::Create(MelFilterbankConfig());
  ASSERT_TRUE(bank.ok()) << bank.status();
  const std::vector<float> got = (*bank)->DenseMatrix();
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LT(MaxRelativeError(got, want), 1e-6);
}

TEST(MelFilterbankTest, SlaneyNormalisedMatchesNumpyGolden) {
  const std::vector<float> want = ReadGolden("frontend_mel_slaney_40_256.f32");
  ASSERT_EQ(want.size(), 40u * 129u);
  MelFilterbankConfig c;
  c.n_fft = 256;
  c.n_mels = 40;
  c.fmin = 0.0;
  c.fmax = 8000.0;
  c.scale = MelScale::kSlaney;
  c.slaney_norm = true;
  auto bank = MelFilterbank::Create(c);
  ASSERT_TRUE(bank.ok()) << bank.status();
  const std::vector<float> got = (*bank)->DenseMatrix();
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LT(MaxRelativeError(got, want), 1e-6);
}

TEST(MelFilterbankTest, ScalesAreInverseAndHitKnownPoints) {
  EXPECT_NEAR(MelFilterbank::HzToMel(700.0, MelScale::kHtk), 2595.0 * std::log10(2.0), 1e-9);
  EXPECT_NEAR(MelFilterbank::HzToMel(1000.0, MelScale::kSlaney), 15.0, 1e-12);
  EXPECT_NEAR(MelFilterbank::HzToMel(6400.0, MelScale::kSlaney), 42.0, 1e-9);
  EXPECT_NEAR(MelFilterbank::HzToMel(500.0, MelScale::kSlaney), 7.5, 1e-12);
  for (MelScale s : {MelScale::kHtk, MelScale::kSlaney}) {
    for (double hz : {0.0, 20.0, 999.0, 1000.0, 4000.0, 7600.0}) {
      EXPECT_NEAR(MelFilterbank::MelToHz(MelFilterbank::HzToMel(hz, s), s), hz, 1e-9);
    }
  }
}

TEST(MelFilterbankTest, ApplyEqualsDenseProductAndTrianglesPeakInOrder) {
  auto bank = MelFilterbank::Create(MelFilterbankConfig());
  ASSERT_TRUE(bank.ok());
  const std::vector<float> dense = (*bank)->DenseMatrix();
  std::vector<float> power(257);
  for (int k = 0; k < 257; ++k) power[k] = 1.0f + 0.01f * k;
  std::vector<float> mel(80);
  (*bank)->Apply(power, mel);
  int previous_peak = -1;
  for (int m = 0; m < 80; ++m) {
    double sum = 0.0;
    int peak = 0;
    for (int k = 0; k < 257; ++k) {
      sum += dense[m * 257 + k] * power[k];
      if (dense[m * 257 + k] > dense[m * 257 + peak]) peak = k;
    }
    EXPECT_NEAR(mel[m], sum, 1e-4 * sum);
    EXPECT_GT(sum, 0.0) << "empty filter " << m;
    EXPECT_GE(peak, previous_peak);
    previous_peak = peak;
  }
}

TEST(MelFilterbankTest, ValidateNamesFieldAndRange) {
  MelFilterbankConfig c;
  c.fmax = 9000.0;
  absl::Status s = c.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("fmax"), std::string_view::npos) << s;
  EXPECT_NE(s.message().find("8000"), std::string_view::npos) << s;
  c = MelFilterbankConfig();
  c.fmin = 8000.0;
  EXPECT_NE(c.Validate().message().find("fmin"), std::string_view::npos);
  c = MelFilterbankConfig();
  c.n_mels = 0;
  EXPECT_NE(c.Validate().message().find("n_mels = 0 outside 1..1024"), std::string_view::npos);
  EXPECT_FALSE(MelFilterbank::Create(c).ok());
  EXPECT_NE(MelFilterbankConfig().ToString().find("scale=htk"), std::string::npos);
}

}  // namespace
}  // namespace auris::dsp
