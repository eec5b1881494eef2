#include <benchmark/benchmark.h>

#include <cmath>
#include <cstddef>
#include <random>
#include <vector>

#include "nn/ctc_greedy.h"
#include "nn/ctc_prefix_beam_search.h"

namespace auris::nn {
namespace {

constexpr int kFrames = 500;  // 20 s at 40 ms per frame (25 frames/s)
constexpr int kVocab = 29;    // blank + 26 letters + space + apostrophe
constexpr double kAudioSeconds = kFrames * 0.040;

// Random posteriors, moderately peaky like a trained acoustic model (softmax of N(0, 3^2)).
std::vector<float> RandomLogProbs(int t, int v) {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 3.0f);
  std::vector<float> out(static_cast<std::size_t>(t) * v);
  for (int i = 0; i < t; ++i) {
    float* row = out.data() + static_cast<std::size_t>(i) * v;
    double sum = 0.0;
    for (int j = 0; j < v; ++j) {
      row[j] = normal(rng);
      sum += std::exp(row[j]);
    }
    for (int j = 0; j < v; ++j) row[j] -= static_cast<float>(std::log(sum));
  }
  return out;
}

// Counter "ms_per_audio_s": decoding time (CPU) per second of audio.
void ReportPerAudioSecond(benchmark::State& state) {
  state.counters["ms_per_audio_s"] =
      benchmark::Counter(kAudioSeconds / 1000.0, benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
}

void BM_CtcGreedy(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder = CtcGreedyDecoder::Create({});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcGreedy)->Unit(benchmark::kMicrosecond);

// Arg: beam size; whole 20 s matrix decoded per iteration, no pruning beyond the beam.
void BM_CtcPrefixBeamSearch(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder =
      CtcPrefixBeamSearch::Create({.beam_size = static_cast<int>(state.range(0)), .nbest = 1});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcPrefixBeamSearch)->Arg(8)->Arg(16)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

// Same with per-frame pruning (top 8 symbols, log-prob >= log(1e-4)): the production setting.
void BM_CtcPrefixBeamSearchPruned(benchmark::State& state) {
  const std::vector<float> lp = RandomLogProbs(kFrames, kVocab);
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = static_cast<int>(state.range(0)),
                                              .nbest = 1,
                                              .top_k = 8,
                                              .min_symbol_log_prob = std::log(1e-4f)});
  for (auto _ : state) {
    auto result = (*decoder)->Decode(lp, kFrames, kVocab);
    benchmark::DoNotOptimize(result);
  }
  ReportPerAudioSecond(state);
}
BENCHMARK(BM_CtcPrefixBeamSearchPruned)
    ->Arg(8)
    ->Arg(16)
    ->Arg(32)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::nn
