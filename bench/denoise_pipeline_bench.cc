// Real-time factor of the shipped denoisers on one core, in one run: the neural `denoise`
// model (models/denoise/denoise.safetensors) and the statistical `classic` one, each over
// 10 s of 16 kHz audio fed in 10 ms chunks, as a stream does. Skips the neural case with a
// message when the model file is absent. AURIS_DENOISE_MODEL=FILE times another model file
// (a training candidate) instead of the shipped one.
//   build/bench/denoise_pipeline_bench --benchmark_format=json
//   AURIS_DENOISE_MODEL=cand.safetensors build/bench/denoise_pipeline_bench
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "dsp/noise_suppressor.h"
#include "models/denoise/classic_denoise_pipeline.h"
#include "models/denoise/neural_denoise_pipeline.h"

namespace auris::models {
namespace {

constexpr int kRate = 16000;
constexpr int kSeconds = 10;
constexpr int kChunk = 160;

std::vector<float> NoisySpeechLike() {
  std::mt19937 rng(1);
  std::normal_distribution<float> noise(0.0f, 0.03f);
  std::vector<float> x(kSeconds * kRate);
  for (std::size_t i = 0; i < x.size(); ++i) {
    const float t = static_cast<float>(i) / kRate;
    const float envelope = 0.5f + 0.5f * std::sin(2.0f * 3.14159265f * 3.0f * t);
    x[i] = 0.2f * envelope * std::sin(2.0f * 3.14159265f * 180.0f * t) + noise(rng);
  }
  return x;
}

void RunStream(benchmark::State& state, const DenoisePipeline& pipeline) {
  const std::vector<float> x = NoisySpeechLike();
  std::vector<float> out;
  out.reserve(x.size() + 4096);
  for (auto _ : state) {
    auto stream = pipeline.CreateStream(kRate, kRate);
    if (!stream.ok()) {
      state.SkipWithError(std::string(stream.status().message()).c_str());
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < x.size(); i += kChunk) {
      if (!(*stream)->Accept(std::span<const float>(x).subspan(i, kChunk), &out).ok()) {
        state.SkipWithError("Accept failed");
        return;
      }
    }
    if (!(*stream)->Flush(&out).ok()) state.SkipWithError("Flush failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["rtf"] =
      benchmark::Counter(kSeconds * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_NeuralDenoise10s(benchmark::State& state) {
  const char* chosen = std::getenv("AURIS_DENOISE_MODEL");
  const std::string path =
      chosen != nullptr && *chosen != '\0'
          ? std::string(chosen)
          : std::string(AURIS_SOURCE_DIR) + "/models/denoise/denoise.safetensors";
  if (!std::filesystem::exists(path)) {
    state.SkipWithError(("no model file " + path + " (train it: docs/recipes.md)").c_str());
    return;
  }
  ModelInfo info;
  info.name = "denoise";
  info.task = kTaskDenoise;
  auto pipeline = NeuralDenoisePipeline::Load(info, path);
  if (!pipeline.ok()) {
    state.SkipWithError(std::string(pipeline.status().message()).c_str());
    return;
  }
  RunStream(state, **pipeline);
}
BENCHMARK(BM_NeuralDenoise10s)->Unit(benchmark::kMillisecond);

void BM_ClassicDenoise10s(benchmark::State& state) {
  ModelInfo info;
  info.name = "classic";
  info.task = kTaskDenoise;
  auto pipeline = ClassicDenoisePipeline::Create(info, dsp::NoiseSuppressorConfig{});
  if (!pipeline.ok()) {
    state.SkipWithError(std::string(pipeline.status().message()).c_str());
    return;
  }
  RunStream(state, **pipeline);
}
BENCHMARK(BM_ClassicDenoise10s)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::models
