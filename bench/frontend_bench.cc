// Front-end benchmarks: (a) real-time factor of the standard log-mel front end
// (ARCHITECTURE.md §8) on 10 s of 16 kHz audio fed in 10 ms chunks; (b) StftAnalyzer frames/s
// against bare fftwf_execute (window + r2c FFT per frame) over the same frames, with the ratio
// (thread CPU time, interleaved, so that a shared machine perturbs both sides alike).
#include <benchmark/benchmark.h>
#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <ctime>
#include <random>
#include <vector>

#include "dsp/feature_extractor.h"
#include "dsp/stft.h"
#include "dsp/window.h"

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

void SetRtf(benchmark::State& state) {
  state.counters["rtf"] =
      benchmark::Counter(static_cast<double>(kSeconds) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// (a) Standard log-mel front end; arg 1 adds 13 MFCC + deltas + delta-deltas.
void BM_FrontEnd10s(benchmark::State& state) {
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  FeatureConfig config;
  if (state.range(0) == 1) {
    config.n_ceps = 13;
    config.delta_order = 2;
  }
  auto fe = FeatureExtractor::Create(config);
  std::vector<float> features;
  features.reserve(static_cast<std::size_t>(x.size() / 160 + 1) * config.feature_dim());
  for (auto _ : state) {
    features.clear();
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (*fe)->Accept(std::span<const float>(x).subspan(i, 160), &features);
    }
    (*fe)->Flush(&features);
    benchmark::DoNotOptimize(features.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(x.size()));
  SetRtf(state);
}
BENCHMARK(BM_FrontEnd10s)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

int NumFrames(const std::vector<float>& x) { return (static_cast<int>(x.size()) - 400) / 160 + 1; }

double RunStft(StftAnalyzer* stft, const std::vector<float>& x,
               std::vector<std::complex<float>>* frames) {
  frames->clear();
  for (std::size_t i = 0; i < x.size(); i += 160) {
    stft->Accept(std::span<const float>(x).subspan(i, 160), frames);
  }
  stft->Reset();
  return std::real((*frames)[0]);
}

// Same frames through AcceptInto, consumed per 10 ms chunk as a streaming caller does: the FFT
// writes straight into the caller's one-frame buffer (FFTW-aligned, reused like bare's `out`).
double RunStftInto(StftAnalyzer* stft, const std::vector<float>& x, AlignedComplex* frame) {
  double sum = 0.0;
  for (std::size_t i = 0; i < x.size(); i += 160) {
    const absl::StatusOr<int> t =
        stft->AcceptInto(std::span<const float>(x).subspan(i, 160), frame->span());
    if (*t > 0) sum += (*frame)[1].real();
  }
  stft->Reset();
  return sum;
}

double ThreadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Bare FFTW: per frame, window into the aligned input and execute the r2c plan.
struct BareFftw {
  BareFftw() : window(MakeWindow(WindowType::kHann, 400, true)) {
    in = fftwf_alloc_real(512);
    out = fftwf_alloc_complex(257);
    std::fill(in, in + 512, 0.0f);
    plan = fftwf_plan_dft_r2c_1d(512, in, out, FFTW_ESTIMATE);
  }
  ~BareFftw() {
    fftwf_destroy_plan(plan);
    fftwf_free(in);
    fftwf_free(out);
  }
  float Run(const std::vector<float>& x) {
    float sum = 0.0f;
    for (int t = 0, frames = NumFrames(x); t < frames; ++t) {
      const float* frame = x.data() + static_cast<std::size_t>(t) * 160;
      for (int i = 0; i < 400; ++i) in[i] = frame[i] * window[i];
      fftwf_execute(plan);
      sum += out[1][0];
    }
    return sum;
  }
  std::vector<float> window;
  float* in;
  fftwf_complex* out;
  fftwf_plan plan;
};

// (b) frames/s of StftAnalyzer (10 ms chunks) and of bare FFTW over the same 10 s.
void BM_StftAnalyzer(benchmark::State& state) {
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto stft = StftAnalyzer::Create(StftConfig());
  std::vector<std::complex<float>> frames;
  frames.reserve(static_cast<std::size_t>(NumFrames(x)) * 257);
  for (auto _ : state) benchmark::DoNotOptimize(RunStft(stft->get(), x, &frames));
  state.SetItemsProcessed(state.iterations() * NumFrames(x));
}
BENCHMARK(BM_StftAnalyzer)->Unit(benchmark::kMicrosecond);

void BM_BareFftw(benchmark::State& state) {
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  BareFftw bare;
  for (auto _ : state) benchmark::DoNotOptimize(bare.Run(x));
  state.SetItemsProcessed(state.iterations() * NumFrames(x));
}
BENCHMARK(BM_BareFftw)->Unit(benchmark::kMicrosecond);

void BM_StftAnalyzerInto(benchmark::State& state) {
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto stft = StftAnalyzer::Create(StftConfig());
  AlignedComplex frame(257);
  for (auto _ : state) benchmark::DoNotOptimize(RunStftInto(stft->get(), x, &frame));
  state.SetItemsProcessed(state.iterations() * NumFrames(x));
}
BENCHMARK(BM_StftAnalyzerInto)->Unit(benchmark::kMicrosecond);

// Both in the same iteration, interleaved: counter "overhead" = StftAnalyzer CPU time / bare
// CPU time; arg 0 = Accept appending all 10 s of frames to a vector (2 MB), 1 = AcceptInto a
// one-frame buffer per chunk (the streaming consumer's pattern; bare FFTW also reuses one).
void BM_StftOverheadVsBareFftw(benchmark::State& state) {
  const std::vector<float> x = NoisyTone(kSeconds * kRate);
  auto stft = StftAnalyzer::Create(StftConfig());
  std::vector<std::complex<float>> frames;
  frames.reserve(static_cast<std::size_t>(NumFrames(x)) * 257);
  AlignedComplex frame(257);
  BareFftw bare;
  double ours = 0.0, reference = 0.0;
  for (auto _ : state) {
    const double t0 = ThreadSeconds();
    benchmark::DoNotOptimize(state.range(0) == 0 ? RunStft(stft->get(), x, &frames)
                                                 : RunStftInto(stft->get(), x, &frame));
    const double t1 = ThreadSeconds();
    benchmark::DoNotOptimize(bare.Run(x));
    const double t2 = ThreadSeconds();
    ours += t1 - t0;
    reference += t2 - t1;
  }
  state.counters["overhead"] = ours / reference;
}
BENCHMARK(BM_StftOverheadVsBareFftw)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace auris::dsp
