#include "dsp/resampler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace auris::dsp {
namespace {

std::vector<float> Sine(double hz, int rate_hz, int n, double amplitude = 0.5) {
  std::vector<float> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    x[i] = static_cast<float>(amplitude * std::sin(2 * M_PI * hz * i / rate_hz));
  }
  return x;
}

std::vector<float> Noise(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-0.5f, 0.5f);
  std::vector<float> x(static_cast<std::size_t>(n));
  for (float& v : x) v = dist(rng);
  return x;
}

std::unique_ptr<Resampler> MakeResampler(int in_hz, int out_hz) {
  absl::StatusOr<std::unique_ptr<Resampler>> resampler = Resampler::Create(in_hz, out_hz);
  EXPECT_TRUE(resampler.ok()) << resampler.status();
  return resampler.ok() ? std::move(*resampler) : nullptr;
}

std::vector<float> ResampleInChunks(const std::vector<float>& x, int in_hz, int out_hz,
                                    std::size_t chunk) {
  std::unique_ptr<Resampler> resampler = MakeResampler(in_hz, out_hz);
  std::vector<float> out;
  for (std::size_t at = 0; at < x.size(); at += chunk) {
    const std::size_t n = std::min(chunk, x.size() - at);
    resampler->Accept(std::span<const float>(x.data() + at, n), &out);
  }
  resampler->Flush(&out);
  return out;
}

long long ExpectedLength(long long n, int in_hz, int out_hz) {
  return std::llround(static_cast<double>(n) * out_hz / in_hz);
}

// Signal-to-error ratio over [begin, end) in dB.
double SnrDb(const std::vector<float>& reference, const std::vector<float>& actual,
             std::size_t begin, std::size_t end) {
  double signal = 0;
  double error = 0;
  for (std::size_t i = begin; i < end; ++i) {
    signal += reference[i] * reference[i];
    error += (reference[i] - actual[i]) * (reference[i] - actual[i]);
  }
  return 10 * std::log10(signal / std::max(error, 1e-30));
}

TEST(ResamplerTest, RejectsRatesOutsideTheRange) {
  for (auto [in_hz, out_hz] : {std::pair{4000, 16000}, std::pair{16000, 96000}}) {
    absl::StatusOr<std::unique_ptr<Resampler>> resampler = Resampler::Create(in_hz, out_hz);
    ASSERT_FALSE(resampler.ok());
    EXPECT_EQ(resampler.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(resampler.status().message()), ::testing::HasSubstr("8000..48000"));
  }
  EXPECT_FALSE(Resample(std::vector<float>(10), 16000, 7999).ok());
}

TEST(ResamplerTest, OutputLengthIsRoundedInputTimesRatio) {
  const std::vector<std::pair<int, int>> rates = {{16000, 8000},  {8000, 16000}, {44100, 16000},
                                                  {16000, 22050}, {48000, 8000}, {8000, 48000}};
  for (auto [in_hz, out_hz] : rates) {
    for (int n : {0, 1, 7, 1000, 16001, 44101}) {
      absl::StatusOr<std::vector<float>> out = Resample(Noise(n, 1), in_hz, out_hz);
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(static_cast<long long>(out->size()), ExpectedLength(n, in_hz, out_hz))
          << in_hz << " -> " << out_hz << ", n = " << n;
    }
  }
}

TEST(ResamplerTest, EqualRatesCopySamples) {
  const std::vector<float> x = Noise(1234, 2);
  EXPECT_EQ(ResampleInChunks(x, 16000, 16000, 100), x);
}

TEST(ResamplerTest, ChunkedInputGivesTheSameOutputAsWhole) {
  const std::vector<float> x = Noise(16000, 3);
  for (auto [in_hz, out_hz] : {std::pair{16000, 8000}, std::pair{8000, 16000},
                               std::pair{44100, 16000}, std::pair{16000, 48000}}) {
    const std::vector<float> whole = ResampleInChunks(x, in_hz, out_hz, x.size());
    for (std::size_t chunk : {1u, 7u, 160u, 1600u}) {
      const std::vector<float> pieces = ResampleInChunks(x, in_hz, out_hz, chunk);
      ASSERT_EQ(pieces.size(), whole.size());
      float max_diff = 0;
      for (std::size_t i = 0; i < whole.size(); ++i) {
        max_diff = std::max(max_diff, std::abs(pieces[i] - whole[i]));
      }
      EXPECT_EQ(max_diff, 0.0f) << in_hz << " -> " << out_hz << " in chunks of " << chunk;
    }
  }
}

TEST(ResamplerTest, OutputIsAlignedWithInput) {
  const int n = 16000;
  const std::vector<float> x = Sine(440, 16000, n);
  absl::StatusOr<std::vector<float>> down = Resample(x, 16000, 8000);
  ASSERT_TRUE(down.ok());
  const std::vector<float> expected_down = Sine(440, 8000, n / 2);
  EXPECT_GT(SnrDb(expected_down, *down, 500, n / 2 - 500), 40.0);
  absl::StatusOr<std::vector<float>> up = Resample(*down, 8000, 16000);
  ASSERT_TRUE(up.ok());
  ASSERT_EQ(up->size(), x.size());
  EXPECT_GT(SnrDb(x, *up, 1000, n - 1000), 40.0);
}

TEST(ResamplerTest, SineFrequencyIsPreserved) {
  const std::vector<float> x = Sine(1000, 16000, 16000);
  absl::StatusOr<std::vector<float>> y = Resample(x, 16000, 44100);
  ASSERT_TRUE(y.ok());
  const std::size_t begin = 4410;
  const std::size_t end = 44100 - 4410;
  int crossings = 0;
  for (std::size_t i = begin + 1; i < end; ++i) {
    if (((*y)[i - 1] < 0) != ((*y)[i] < 0)) ++crossings;
  }
  const double seconds = static_cast<double>(end - begin) / 44100;
  EXPECT_NEAR(crossings / (2 * seconds), 1000.0, 2.0);
  EXPECT_GT(SnrDb(Sine(1000, 44100, 44100), *y, begin, end), 40.0);
}

TEST(ResamplerTest, ResetAndFlushStartAFreshSignal) {
  const std::vector<float> a = Noise(5000, 4);
  const std::vector<float> b = Noise(3000, 5);
  const std::vector<float> fresh = ResampleInChunks(b, 16000, 8000, 160);
  std::unique_ptr<Resampler> resampler = MakeResampler(16000, 8000);
  std::vector<float> ignored;
  resampler->Accept(a, &ignored);
  resampler->Reset();
  std::vector<float> after_reset;
  resampler->Accept(b, &after_reset);
  resampler->Flush(&after_reset);
  EXPECT_EQ(after_reset, fresh);
  std::vector<float> after_flush;
  resampler->Accept(b, &after_flush);
  resampler->Flush(&after_flush);
  EXPECT_EQ(after_flush, fresh);
  EXPECT_EQ(resampler->input_rate_hz(), 16000);
  EXPECT_EQ(resampler->output_rate_hz(), 8000);
}

}  // namespace
}  // namespace auris::dsp
