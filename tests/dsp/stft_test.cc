#include "dsp/stft.h"

#include <cmath>
#include <complex>
#include <fstream>
#include <numbers>
#include <random>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dsp/fft_plan.h"
#include "dsp/window.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

using Frames = std::vector<std::complex<float>>;

std::vector<float> Noise(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

TEST(WindowTest, PeriodicAndSymmetricHann) {
  const std::vector<float> p = MakeWindow(WindowType::kHann, 8, true);
  const std::vector<float> s = MakeWindow(WindowType::kHann, 8, false);
  EXPECT_FLOAT_EQ(p[0], 0.0f);
  EXPECT_FLOAT_EQ(p[4], 1.0f);
  EXPECT_FLOAT_EQ(s[0], 0.0f);
  EXPECT_FLOAT_EQ(s[7], 0.0f);
  const std::vector<float> sq = MakeWindow(WindowType::kSqrtHann, 8, true);
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(sq[i] * sq[i], p[i], 1e-6);
  EXPECT_NEAR(MakeWindow(WindowType::kHamming, 9, false)[4], 1.0f, 1e-6);
  EXPECT_NEAR(MakeWindow(WindowType::kBlackman, 9, false)[0], 0.0f, 1e-6);
  ASSERT_TRUE(WindowTypeFromName("sqrt_hann").ok());
  EXPECT_FALSE(WindowTypeFromName("kaiser").ok());
}

TEST(FftPlanTest, MatchesNaiveDftAndIsShared) {
  const int n = 30;
  auto plan = FftPlan::Get(n);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->get(), FftPlan::Get(n)->get());
  AlignedFloats in(n);
  const std::vector<float> x = Noise(n, 7);
  for (int i = 0; i < n; ++i) in[i] = x[i];
  AlignedComplex out(n / 2 + 1);
  (*plan)->Forward(in, &out);
  for (int k = 0; k <= n / 2; ++k) {
    std::complex<double> sum = 0.0;
    for (int t = 0; t < n; ++t)
      sum += double{x[t]} * std::polar(1.0, -2.0 * std::numbers::pi * k * t / n);
    EXPECT_NEAR(out[k].real(), sum.real(), 1e-5);
    EXPECT_NEAR(out[k].imag(), sum.imag(), 1e-5);
  }
  AlignedFloats back(n);
  (*plan)->Inverse(&out, &back);
  for (int i = 0; i < n; ++i) EXPECT_NEAR(back[i] / n, x[i], 1e-6);
  EXPECT_FALSE(FftPlan::Get(1).ok());
}

TEST(StftConfigTest, ValidateNamesTheField) {
  StftConfig c;
  c.n_fft = 256;
  absl::Status s = c.Validate();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("n_fft"), std::string_view::npos);
  c = StftConfig();
  c.hop = 0;
  EXPECT_NE(c.Validate().message().find("hop"), std::string_view::npos);
  EXPECT_NE(StftConfig().ToString().find("n_fft=512"), std::string::npos);
}

TEST(StftTest, MatchesScipyGolden) {
  std::ifstream in(std::string(AURIS_SOURCE_DIR) + "/tests/dsp/golden/stft_hann_512_400_160.txt");
  ASSERT_TRUE(in.good());
  int n = 0, frames = 0, bins = 0;
  in >> n >> frames >> bins;
  std::vector<float> x(n);
  for (float& v : x) in >> v;
  Frames expected(static_cast<std::size_t>(frames) * bins);
  for (auto& c : expected) {
    float re, im;
    in >> re >> im;
    c = {re, im};
  }
  ASSERT_TRUE(in.good());
  auto stft = StftAnalyzer::Create(StftConfig());
  ASSERT_TRUE(stft.ok());
  Frames got;
  (*stft)->Accept(x, &got);
  (*stft)->Flush(&got);
  ASSERT_EQ(got.size(), expected.size());
  float peak = 0.0f;
  for (const auto& c : expected) peak = std::max(peak, std::abs(c));
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_NEAR(std::abs(got[i] - expected[i]), 0.0f, 1e-5f * peak) << "value " << i;
  }
}

TEST(StftTest, PureTonePeaksAtItsBin) {
  StftConfig c;
  const int bin = 37;
  std::vector<float> x(4000);
  for (int i = 0; i < 4000; ++i) x[i] = std::cos(2.0 * std::numbers::pi * bin * i / c.n_fft);
  auto stft = StftAnalyzer::Create(c);
  ASSERT_TRUE(stft.ok());
  Frames f;
  (*stft)->Accept(x, &f);
  ASSERT_EQ(f.size(), static_cast<std::size_t>((4000 - 400) / 160 + 1) * c.num_bins());
  for (std::size_t t = 0; t < f.size() / c.num_bins(); ++t) {
    int best = 0;
    for (int k = 0; k < c.num_bins(); ++k) {
      if (std::abs(f[t * c.num_bins() + k]) > std::abs(f[t * c.num_bins() + best])) best = k;
    }
    EXPECT_EQ(best, bin);
    EXPECT_NEAR(std::abs(f[t * c.num_bins() + bin]), 100.0f, 0.5f);  // sum(hann(400)) / 2
  }
}

TEST(StftTest, ChunkingDoesNotChangeFrames) {
  StftConfig c;
  c.flush_pads = true;
  const std::vector<float> x = Noise(5000, 3);
  auto whole = StftAnalyzer::Create(c);
  auto chunked = StftAnalyzer::Create(c);
  Frames a, b;
  (*whole)->Accept(x, &a);
  (*whole)->Flush(&a);
  for (std::size_t i = 0; i < x.size(); i += 7) {
    (*chunked)->Accept(std::span<const float>(x).subspan(i, std::min<std::size_t>(7, x.size() - i)),
                       &b);
  }
  (*chunked)->Flush(&b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), static_cast<std::size_t>((5000 + 159) / 160) * c.num_bins());
}

// Frames of every chunk size equal the whole-signal frames exactly, through Accept and through
// AcceptInto, for hops that do and do not divide the chunk, and with compaction of the history.
class StftChunkTest : public ::testing::TestWithParam<std::tuple<int, int, int>> {};

TEST_P(StftChunkTest, AcceptAndAcceptIntoMatchWholeSignal) {
  const auto [chunk, win, hop] = GetParam();
  StftConfig c;
  c.win_length = win;
  c.hop = hop;
  c.flush_pads = true;
  const std::vector<float> x = Noise(7013, 5);
  auto whole = StftAnalyzer::Create(c);
  auto chunked = StftAnalyzer::Create(c);
  auto into = StftAnalyzer::Create(c);
  ASSERT_TRUE(whole.ok() && chunked.ok() && into.ok());
  Frames a, b, d;
  (*whole)->Accept(x, &a);
  (*whole)->Flush(&a);
  for (std::size_t i = 0; i < x.size(); i += chunk) {
    const auto piece =
        std::span<const float>(x).subspan(i, std::min<std::size_t>(chunk, x.size() - i));
    const std::size_t before = b.size();
    (*chunked)->Accept(piece, &b);
    Frames out((*into)->FramesCompletedBy(piece.size()) * c.num_bins());
    if (!out.empty()) {
      Frames too_small(out.size() - 1);
      EXPECT_FALSE((*into)->AcceptInto(piece, too_small).ok());
    }
    absl::StatusOr<int> t = (*into)->AcceptInto(piece, out);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_EQ(static_cast<std::size_t>(*t) * c.num_bins(), b.size() - before);
    d.insert(d.end(), out.begin(), out.end());
  }
  (*chunked)->Flush(&b);
  (*into)->Flush(&d);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, d);
  EXPECT_EQ(a.size(), static_cast<std::size_t>((x.size() + hop - 1) / hop) * c.num_bins());
}

INSTANTIATE_TEST_SUITE_P(Chunks, StftChunkTest,
                         ::testing::Combine(::testing::Values(1, 7, 160, 1600),
                                            ::testing::Values(400, 512),
                                            ::testing::Values(160, 100, 400)),
                         [](const auto& info) {
                           return absl::StrCat("chunk", std::get<0>(info.param), "_win",
                                               std::get<1>(info.param), "_hop",
                                               std::get<2>(info.param));
                         });

TEST(StftTest, FramesMatchDirectWindowedDft) {
  StftConfig c;
  c.n_fft = 64;
  c.win_length = 48;
  c.hop = 20;
  const std::vector<float> x = Noise(300, 9);
  auto stft = StftAnalyzer::Create(c);
  ASSERT_TRUE(stft.ok());
  Frames f;
  for (std::size_t i = 0; i < x.size(); i += 13) {
    (*stft)->Accept(std::span<const float>(x).subspan(i, std::min<std::size_t>(13, x.size() - i)),
                    &f);
  }
  const std::vector<float> w = MakeWindow(c.window, c.win_length, true);
  const int frames = (300 - 48) / 20 + 1;
  ASSERT_EQ(f.size(), static_cast<std::size_t>(frames) * c.num_bins());
  for (int t = 0; t < frames; ++t) {
    for (int k = 0; k < c.num_bins(); ++k) {
      std::complex<double> sum = 0.0;
      for (int i = 0; i < c.win_length; ++i) {
        sum += double{x[t * c.hop + i]} * w[i] *
               std::polar(1.0, -2.0 * std::numbers::pi * k * i / c.n_fft);
      }
      const std::complex<float> got = f[static_cast<std::size_t>(t) * c.num_bins() + k];
      EXPECT_NEAR(got.real(), sum.real(), 1e-5) << t << "," << k;
      EXPECT_NEAR(got.imag(), sum.imag(), 1e-5) << t << "," << k;
    }
  }
}

struct RoundTrip {
  WindowType window;
  int n_fft;
  int win;
  int hop;
};

class StftRoundTripTest : public ::testing::TestWithParam<RoundTrip> {};

TEST_P(StftRoundTripTest, InverseReconstructsInput) {
  const RoundTrip p = GetParam();
  StftConfig c;
  c.window = p.window;
  c.n_fft = p.n_fft;
  c.win_length = p.win;
  c.hop = p.hop;
  c.flush_pads = true;
  auto analyzer = StftAnalyzer::Create(c);
  auto synth = OverlapAddSynthesizer::Create(c);
  ASSERT_TRUE(analyzer.ok() && synth.ok());
  const std::vector<float> x = Noise(6000, 11);
  Frames frames;
  (*analyzer)->Accept(x, &frames);
  (*analyzer)->Flush(&frames);
  std::vector<float> y;
  for (std::size_t i = 0; i < frames.size(); i += c.num_bins()) {
    (*synth)->Accept(std::span(frames).subspan(i, c.num_bins()), &y);
  }
  (*synth)->Flush(&y);
  ASSERT_GE(y.size(), x.size());
  const int settled = p.win - p.hop;
  float max_err = 0.0f;
  for (std::size_t i = settled; i + p.win < x.size(); ++i) {
    max_err = std::max(max_err, std::abs(y[i] - x[i]));
  }
  EXPECT_LT(max_err, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Windows, StftRoundTripTest,
                         ::testing::Values(RoundTrip{WindowType::kSqrtHann, 320, 320, 160},
                                           RoundTrip{WindowType::kHann, 512, 400, 100},
                                           RoundTrip{WindowType::kHann, 512, 512, 128},
                                           RoundTrip{WindowType::kHann, 512, 400, 160},
                                           RoundTrip{WindowType::kHamming, 256, 200, 80}));

}  // namespace
}  // namespace auris::dsp
