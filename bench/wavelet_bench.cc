#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "dsp/cwt.h"
#include "dsp/cwt_stream.h"
#include "dsp/dwt.h"
#include "dsp/dwt_stream.h"

namespace auris::dsp {
namespace {

constexpr int kRate = 16000;
constexpr int kSeconds = 10;

std::vector<float> NoisyTone(int n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) x[i] = 0.3f * std::sin(0.05f * i) + noise(rng);
  return x;
}

// 64 scales: 12 voices per octave over 5.25 octaves, 125 .. 4760 Hz.
CwtConfig Cwt64Config(CwtWavelet wavelet) {
  CwtConfig c;
  c.wavelet = wavelet;
  c.fmin = 125.0;
  c.fmax = 4760.0;
  c.voices_per_octave = 12;
  c.block_size = 1600;
  return c;
}

// rtf = processing time / audio duration (10 s).
void SetRtf(benchmark::State& state) {
  state.counters["rtf"] =
      benchmark::Counter(kSeconds * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_CwtWhole64Scales10s(benchmark::State& state) {
  const auto wavelet = static_cast<CwtWavelet>(state.range(0));
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto cwt = Cwt::Create(Cwt64Config(wavelet));
  if (!cwt.ok()) return state.SkipWithError(std::string(cwt.status().message()).c_str());
  for (auto _ : state) {
    auto w = (*cwt)->Transform(x);
    benchmark::DoNotOptimize(w->data());
  }
  state.SetLabel(CwtWaveletName(wavelet));
  SetRtf(state);
}
BENCHMARK(BM_CwtWhole64Scales10s)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// 10 ms chunks into a CwtStream (1600-sample hop); state_bytes is the per-stream memory,
// shared_bytes the filter bank every stream of this config shares.
void BM_CwtStream64Scales10s(benchmark::State& state) {
  const auto wavelet = static_cast<CwtWavelet>(state.range(0));
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto cwt = Cwt::Create(Cwt64Config(wavelet));
  if (!cwt.ok()) return state.SkipWithError(std::string(cwt.status().message()).c_str());
  std::shared_ptr<const Cwt> shared = *std::move(cwt);
  auto stream = CwtStream::Create(shared);
  std::vector<float> columns;
  for (auto _ : state) {
    (*stream)->Reset();
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (*stream)->Accept(std::span<const float>(x).subspan(i, 160), &columns);
    }
    (*stream)->Flush(&columns);
    benchmark::DoNotOptimize(columns.data());
  }
  state.SetLabel(CwtWaveletName(wavelet));
  SetRtf(state);
  state.counters["state_bytes"] = static_cast<double>((*stream)->StateBytes());
  state.counters["shared_bytes"] = static_cast<double>(
      shared->num_scales() * (shared->stream_fft_size() / 2 + 1) * sizeof(float));
  state.counters["support"] = shared->support();
}
BENCHMARK(BM_CwtStream64Scales10s)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// 5-level periodized analysis (range(1) = 0) or synthesis (1); range(0) = 2N of dbN.
void BM_Dwt5Levels10s(benchmark::State& state) {
  DwtConfig c;
  c.wavelet = "db" + std::to_string(state.range(0));
  c.levels = 5;
  const bool synthesis = state.range(1) == 1;
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto dwt = Dwt::Create(c);
  if (!dwt.ok()) return state.SkipWithError(std::string(dwt.status().message()).c_str());
  auto coeffs = (*dwt)->Analyze(x);
  std::size_t coeff_bytes = coeffs->approximation.size() * sizeof(float);
  for (const auto& d : coeffs->details) coeff_bytes += d.size() * sizeof(float);
  for (auto _ : state) {
    if (synthesis) {
      auto y = (*dwt)->Synthesize(*coeffs);
      benchmark::DoNotOptimize(y->data());
    } else {
      auto a = (*dwt)->Analyze(x);
      benchmark::DoNotOptimize(a->approximation.data());
    }
  }
  state.SetLabel(c.wavelet + (synthesis ? " synthesis" : " analysis"));
  SetRtf(state);
  // Dwt is stateless (whole-signal); this is the coefficient memory for 10 s.
  state.counters["coeff_bytes"] = static_cast<double>(coeff_bytes);
}
BENCHMARK(BM_Dwt5Levels10s)
    ->Args({4, 0})
    ->Args({4, 1})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Unit(benchmark::kMillisecond);

// 5-level streaming analysis (zero padding) fed in 10 ms chunks; range(0) = 2N of dbN. State per
// stream = the history buffers (levels x (L + 1024) floats) plus two scratch vectors.
void BM_DwtStream5Levels10s(benchmark::State& state) {
  DwtStreamConfig c;
  c.wavelet = "db" + std::to_string(state.range(0));
  c.levels = 5;
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto stream = DwtStream::Create(c);
  if (!stream.ok()) return state.SkipWithError(std::string(stream.status().message()).c_str());
  DwtCoefficients out;
  for (auto _ : state) {
    out.approximation.clear();
    for (auto& d : out.details) d.clear();
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (*stream)->Accept(std::span<const float>(x).subspan(i, 160), &out);
    }
    (*stream)->Flush(&out);
    benchmark::DoNotOptimize(out.approximation.data());
  }
  state.SetLabel(c.wavelet + " stream analysis");
  SetRtf(state);
  state.counters["state_bytes"] =
      static_cast<double>((c.levels * (state.range(0) + 1024) + 2 * 1024) * sizeof(float));
}
BENCHMARK(BM_DwtStream5Levels10s)->Arg(4)->Arg(10)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::dsp
