#include <benchmark/benchmark.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

#include "dsp/fft_plan.h"
#include "dsp/noise_suppressor.h"

namespace auris::dsp {
namespace {

std::vector<float> NoisyTone(int n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = 0.3f * std::sin(0.05f * i) + noise(rng);
  return x;
}

// Real-time factor (processing time / audio duration) on 10 s of 16 kHz audio in 10 ms chunks.
void BM_NoiseSuppressor10s(benchmark::State& state) {
  constexpr int kRate = 16000;
  const std::vector<float> x = NoisyTone(10 * kRate);
  auto ns = NoiseSuppressor::Create({});
  std::vector<float> out;
  out.reserve(x.size() + 1024);
  for (auto _ : state) {
    out.clear();
    (*ns)->Reset();
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (*ns)->Accept(std::span<const float>(x).subspan(i, 160), &out);
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(x.size()));
  state.counters["rtf"] =
      benchmark::Counter(10.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NoiseSuppressor10s)->Unit(benchmark::kMillisecond);

void BM_FftPlan320(benchmark::State& state) {
  auto plan = FftPlan::Get(320);
  AlignedFloats in(320);
  AlignedComplex out(161);
  for (int i = 0; i < 320; ++i) in[i] = std::sin(0.1f * i);
  for (auto _ : state) {
    (*plan)->Forward(in, &out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_FftPlan320);

void BM_NaiveDft320(benchmark::State& state) {
  std::vector<float> in(320);
  std::vector<std::complex<float>> out(161);
  for (int i = 0; i < 320; ++i) in[i] = std::sin(0.1f * i);
  for (auto _ : state) {
    for (int k = 0; k <= 160; ++k) {
      std::complex<float> sum = 0.0f;
      for (int t = 0; t < 320; ++t) {
        sum += in[t] * std::polar(1.0f, -2.0f * std::numbers::pi_v<float> * k * t / 320);
      }
      out[k] = sum;
    }
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_NaiveDft320);

}  // namespace
}  // namespace auris::dsp
