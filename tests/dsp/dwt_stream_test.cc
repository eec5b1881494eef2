#include "dsp/dwt_stream.h"

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dsp/wavelet_filters.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

std::vector<float> Noise(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = dist(rng) + std::sin(0.01f * i);
  return x;
}

// numpy: full = np.convolve(x, f); return full[1::2]  (PyWavelets dwt, mode "zero").
std::vector<double> ZeroModeLevel(const std::vector<double>& x, const std::vector<double>& f) {
  const int n = static_cast<int>(x.size());
  const int len = static_cast<int>(f.size());
  std::vector<double> out((n + len - 1) / 2);
  for (std::size_t k = 0; k < out.size(); ++k) {
    for (int i = 0; i < len; ++i) {
      const int t = 2 * static_cast<int>(k) + 1 - i;
      if (t >= 0 && t < n) out[k] += f[i] * x[t];
    }
  }
  return out;
}

// Adjoint of the zero-mode analysis of one level, restricted to [0, n).
std::vector<double> AdjointLevel(const std::vector<double>& a, const std::vector<double>& d,
                                 const WaveletFilters& f, int n) {
  std::vector<double> x(n, 0.0);
  for (std::size_t k = 0; k < a.size(); ++k) {
    for (int i = 0; i < f.length(); ++i) {
      const int t = 2 * static_cast<int>(k) + 1 - i;
      if (t >= 0 && t < n) x[t] += f.dec_lo[i] * a[k] + f.dec_hi[i] * d[k];
    }
  }
  return x;
}

TEST(DwtStreamConfigTest, ValidateNamesTheField) {
  DwtStreamConfig c;
  c.wavelet = "db11";
  EXPECT_NE(c.Validate().message().find("wavelet"), std::string_view::npos);
  c = DwtStreamConfig();
  c.levels = 17;
  EXPECT_NE(c.Validate().message().find("levels"), std::string_view::npos);
  EXPECT_FALSE(DwtStream::Create(c).ok());
  EXPECT_NE(DwtStreamConfig().ToString().find("mode=zero"), std::string::npos);
}

TEST(DwtStreamTest, HaarMatchesHandComputedValues) {
  DwtStreamConfig c;
  c.wavelet = "haar";
  c.levels = 1;
  auto coeffs = DwtStream::Analyze(c, std::vector<float>{1, 3, 5, 11});
  ASSERT_TRUE(coeffs.ok());
  const float r = static_cast<float>(std::numbers::sqrt2 / 2);
  // pywt.dwt([1, 3, 5, 11], "haar", "zero") = ([4r, 16r], [-2r, -6r]).
  ASSERT_EQ(coeffs->approximation.size(), 2u);
  EXPECT_NEAR(coeffs->approximation[0], 4 * r, 1e-6);
  EXPECT_NEAR(coeffs->approximation[1], 16 * r, 1e-6);
  EXPECT_NEAR(coeffs->details[0][0], -2 * r, 1e-6);
  EXPECT_NEAR(coeffs->details[0][1], -6 * r, 1e-6);
  EXPECT_EQ(coeffs->lengths, std::vector<int>{4});
}

class DwtStreamChunkTest : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(DwtStreamChunkTest, ChunksEqualWholeSignalAndNumpyFormula) {
  const auto& [wavelet, chunk] = GetParam();
  DwtStreamConfig c;
  c.wavelet = wavelet;
  c.levels = 5;
  const std::vector<float> x = Noise(5003, 17);
  auto whole = DwtStream::Analyze(c, x);
  ASSERT_TRUE(whole.ok()) << whole.status();

  auto stream = DwtStream::Create(c);
  ASSERT_TRUE(stream.ok());
  DwtCoefficients streamed;
  for (std::size_t i = 0; i < x.size(); i += chunk) {
    (*stream)->Accept(
        std::span<const float>(x).subspan(i, std::min<std::size_t>(chunk, x.size() - i)),
        &streamed);
  }
  // Streaming: finest level has emitted one coefficient per two samples before Flush.
  EXPECT_EQ(streamed.details[0].size(), x.size() / 2);
  (*stream)->Flush(&streamed);
  EXPECT_EQ(streamed.approximation, whole->approximation);
  EXPECT_EQ(streamed.details, whole->details);
  EXPECT_EQ(streamed.lengths, whole->lengths);

  auto filters = GetWaveletFilters(wavelet);
  ASSERT_TRUE(filters.ok());
  std::vector<double> a(x.begin(), x.end());
  for (int j = 0; j < c.levels; ++j) {
    ASSERT_EQ(whole->lengths[j], static_cast<int>(a.size()));
    const std::vector<double> d = ZeroModeLevel(a, filters->dec_hi);
    a = ZeroModeLevel(a, filters->dec_lo);
    ASSERT_EQ(whole->details[j].size(), d.size());
    for (std::size_t k = 0; k < d.size(); ++k) {
      ASSERT_NEAR(whole->details[j][k], d[k], 1e-5 * (1.0 + std::abs(d[k]))) << j << "," << k;
    }
  }
  ASSERT_EQ(whole->approximation.size(), a.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    ASSERT_NEAR(whole->approximation[k], a[k], 1e-5 * (1.0 + std::abs(a[k]))) << k;
  }
}

INSTANTIATE_TEST_SUITE_P(All, DwtStreamChunkTest,
                         ::testing::Combine(::testing::Values("haar", "db4", "db10", "sym8"),
                                            ::testing::Values(1, 7, 160, 1600)),
                         [](const auto& info) {
                           return absl::StrCat(std::get<0>(info.param), "_chunk",
                                               std::get<1>(info.param));
                         });

TEST(DwtStreamTest, AdjointReconstructsInput) {
  for (const std::string wavelet : {"db2", "db7", "sym5"}) {
    DwtStreamConfig c;
    c.wavelet = wavelet;
    c.levels = 4;
    const std::vector<float> x = Noise(777, 3);
    auto coeffs = DwtStream::Analyze(c, x);
    ASSERT_TRUE(coeffs.ok());
    auto filters = GetWaveletFilters(wavelet);
    std::vector<double> a(coeffs->approximation.begin(), coeffs->approximation.end());
    for (int j = c.levels - 1; j >= 0; --j) {
      const std::vector<double> d(coeffs->details[j].begin(), coeffs->details[j].end());
      a = AdjointLevel(a, d, *filters, coeffs->lengths[j]);
    }
    ASSERT_EQ(a.size(), x.size());
    for (std::size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(a[i], x[i], 1e-5) << wavelet << " " << i;
  }
}

TEST(DwtStreamTest, ResetAndEmptyStream) {
  auto stream = DwtStream::Create(DwtStreamConfig());
  ASSERT_TRUE(stream.ok());
  DwtCoefficients out;
  (*stream)->Flush(&out);
  EXPECT_TRUE(out.approximation.empty());
  EXPECT_TRUE(out.lengths.empty());
  const std::vector<float> x = Noise(300, 1);
  (*stream)->Accept(x, &out);
  (*stream)->Reset();
  DwtCoefficients again;
  (*stream)->Accept(x, &again);
  (*stream)->Flush(&again);
  auto whole = DwtStream::Analyze(DwtStreamConfig(), x);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(again.details, whole->details);
  EXPECT_EQ(again.approximation, whole->approximation);
}

}  // namespace
}  // namespace auris::dsp
