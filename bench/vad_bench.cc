#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "dsp/vad.h"
#include "models/vad/neural_vad.h"

namespace auris::dsp {
namespace {

// 10 s at 16 kHz: noise with a tone burst every other second (speech-like on/off switching).
std::vector<float> NoisyBursts(int n) {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.02f);
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i) {
    x[i] = noise(rng) + ((i / 16000) % 2 == 1 ? 0.3f * std::sin(0.05f * i) : 0.0f);
  }
  return x;
}

// Real-time factor (processing time / audio duration) on 10 s of 16 kHz audio in 10 ms chunks;
// argument: VadConfig::use_voicing (1: default detector, 0: without the pitch-strength cue).
void BM_Vad10s(benchmark::State& state) {
  constexpr int kRate = 16000;
  const std::vector<float> x = NoisyBursts(10 * kRate);
  VadConfig config;
  config.use_voicing = state.range(0) != 0;
  auto vad = Vad::Create(config);
  std::vector<VadFrame> frames;
  std::vector<VadEvent> events;
  frames.reserve(x.size() / 160 + 1);
  events.reserve(64);
  for (auto _ : state) {
    frames.clear();
    events.clear();
    (*vad)->Reset();
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (*vad)->Accept(std::span<const float>(x).subspan(i, 160), &frames, &events);
    }
    benchmark::DoNotOptimize(frames.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(x.size()));
  state.counters["rtf"] =
      benchmark::Counter(10.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Vad10s)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);

// The shipped neural VAD (models/vad/vad.safetensors) on the same audio and chunks: log-mel
// front end + network + decisions, one stream (created per iteration), one thread.
void BM_NeuralVad10s(benchmark::State& state) {
  const std::string path = std::string(AURIS_SOURCE_DIR) + "/models/vad/vad.safetensors";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError("models/vad/vad.safetensors not found");
    return;
  }
  auto vad = models::NeuralVad::Load(path);
  if (!vad.ok()) {
    state.SkipWithError(std::string(vad.status().message()).c_str());
    return;
  }
  constexpr int kRate = 16000;
  const std::vector<float> x = NoisyBursts(10 * kRate);
  std::vector<models::NeuralVadFrame> frames;
  std::vector<VadEvent> events;
  frames.reserve(x.size() / 160 + 1);
  events.reserve(64);
  for (auto _ : state) {
    frames.clear();
    events.clear();
    auto stream = (*vad)->CreateStream(kRate);
    for (std::size_t i = 0; i < x.size(); i += 160) {
      (void)(*stream)->Accept(std::span<const float>(x).subspan(i, 160), &frames, &events);
    }
    benchmark::DoNotOptimize(frames.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(x.size()));
  state.counters["rtf"] =
      benchmark::Counter(10.0 * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_NeuralVad10s)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::dsp
