// Batched vs solo recognition steps of the shipped ASR model (models/asr/asr.safetensors with
// its LM) through the whole pipeline (resampler-free 16 kHz front end, network, beam search):
// N streams each take one 100 ms chunk per iteration, either one AsrStream::Accept per stream
// (solo, batch 1) or one AsrBatcher::AcceptBatch over all N. Counters, per CPU second of the
// benchmark thread (one core; OpenBLAS runs single-threaded):
//   rtf              CPU seconds per second of audio of one stream (real-time factor)
//   streams_per_core streams one core keeps up with in real time (1 / rtf)
// Streams start fresh (and the timer pauses) when their 20 s of audio run out. Solo steps also
// run with v0.5's search and with greedy search (search:1, search:2) for same-run ratios.
//   build/bench/asr_batch_bench --benchmark_format=json
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "models/asr/asr_batcher.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"

namespace auris::models {
namespace {

constexpr int kRate = 16000;
constexpr size_t kChunk = kRate / 10;  // 100 ms
constexpr size_t kChunksPerStream = 200;

// 20 s of syllable-like bursts (gliding harmonic tones, 4 per second) with pauses and noise.
std::vector<float> SpeechLike() {
  std::vector<float> x(kChunk * kChunksPerStream);
  uint32_t seed = 7;
  double phase = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / kRate;
    const double in_second = t - static_cast<int>(t);
    const double syllable = in_second * 4.0 - static_cast<int>(in_second * 4.0);
    const bool pause = static_cast<int>(t) % 3 == 2;
    phase += 2.0 * M_PI * (140.0 + 40.0 * std::sin(2.0 * M_PI * 0.7 * t)) / kRate;
    double v = 0.0;
    for (int h = 1; h <= 6; ++h) v += std::sin(h * phase) / h;
    const double env = pause || syllable > 0.7 ? 0.0 : std::sin(M_PI * syllable / 0.7);
    seed = seed * 1664525u + 1013904223u;
    x[i] = static_cast<float>(0.25 * env * v + 0.01 * ((seed >> 8) / 16777216.0 - 0.5));
  }
  return x;
}

std::unique_ptr<AsrPipeline> LoadShipped(const std::string& lexicon) {
  const std::string dir = std::string(AURIS_SOURCE_DIR) + "/models/asr/";
  if (!std::filesystem::exists(dir + "asr.safetensors")) return nullptr;
  ModelInfo info;
  info.name = "asr";
  info.task = kTaskAsr;
  auto p = AsrPipeline::Load(info, dir + "asr.safetensors", dir + "asr.arpa", lexicon);
  return p.ok() ? *std::move(p) : nullptr;
}

const AsrPipeline* Shipped(benchmark::State& state) {
  static const std::unique_ptr<AsrPipeline> pipeline = LoadShipped("");
  if (pipeline == nullptr) state.SkipWithError("cannot load models/asr/asr.safetensors + asr.arpa");
  return pipeline.get();
}

// The shipped file without its lexicon, for v0.5's search (beam 16, no lexicon, no pruning).
const AsrPipeline* ShippedWithoutLexicon(benchmark::State& state) {
  static const std::unique_ptr<AsrPipeline> pipeline = LoadShipped(AsrPipeline::kNoLexicon);
  if (pipeline == nullptr) state.SkipWithError("cannot load models/asr/asr.safetensors + asr.arpa");
  return pipeline.get();
}

// N streams over the same audio, each starting at its own chunk so their content differs.
class Streams {
 public:
  Streams(const AsrPipeline& pipeline, int n, AsrStreamOptions options = {})
      : pipeline_(pipeline), n_(n), options_(std::move(options)) {
    Restart();
  }

  bool Restart() {
    owned_.clear();
    raw_.clear();
    for (int i = 0; i < n_; ++i) {
      auto s = pipeline_.CreateStream(options_);
      if (!s.ok()) return false;
      owned_.push_back(*std::move(s));
      raw_.push_back(owned_.back().get());
    }
    step_ = 0;
    return true;
  }
  bool Exhausted() const { return step_ == kChunksPerStream; }
  // Stream i's next chunk.
  std::span<const float> Chunk(int i) const {
    const size_t k = (step_ + 37 * static_cast<size_t>(i)) % kChunksPerStream;
    return std::span<const float>(audio_).subspan(k * kChunk, kChunk);
  }
  void Advance() { ++step_; }
  std::vector<AsrStream*>& raw() { return raw_; }

 private:
  const AsrPipeline& pipeline_;
  const int n_;
  const AsrStreamOptions options_;
  const std::vector<float> audio_ = SpeechLike();
  std::vector<std::unique_ptr<AsrStream>> owned_;
  std::vector<AsrStream*> raw_;
  size_t step_ = 0;
};

void SetCounters(benchmark::State& state, int n) {
  const double audio_s = 0.1 * n * static_cast<double>(state.iterations());
  state.counters["rtf"] =
      benchmark::Counter(audio_s, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["streams_per_core"] = benchmark::Counter(audio_s, benchmark::Counter::kIsRate);
}

bool RestartIfExhausted(benchmark::State& state, Streams* streams) {
  if (!streams->Exhausted()) return true;
  state.PauseTiming();
  const bool ok = streams->Restart();
  state.ResumeTiming();
  if (!ok) state.SkipWithError("CreateStream failed");
  return ok;
}

// Solo steps of N streams with the search of state.range(1): 0 = the model file's defaults,
// 1 = v0.5's (beam 16, no lexicon, lm_weight 0.5, bonus 4, no pruning), 2 = greedy (the
// network and front end alone, the floor every search adds to).
void BM_AsrSoloAccept(benchmark::State& state) {
  const int search = static_cast<int>(state.range(1));
  const AsrPipeline* pipeline = search == 1 ? ShippedWithoutLexicon(state) : Shipped(state);
  if (pipeline == nullptr) return;
  const int n = static_cast<int>(state.range(0));
  AsrStreamOptions options;
  if (search == 1) {
    options.beam_size = 16;
    options.lm_weight = 0.5;
    options.word_insertion_bonus = 4.0;
    options.symbol_min_log_prob = -1e30;
    options.beam_threshold = 1e30;
  } else if (search == 2) {
    options.beam_size = 1;
  }
  Streams streams(*pipeline, n, options);
  std::vector<AsrEvent> events;
  for (auto _ : state) {
    if (!RestartIfExhausted(state, &streams)) return;
    for (int i = 0; i < n; ++i) {
      events.clear();
      if (!streams.raw()[i]->Accept(streams.Chunk(i), &events).ok()) {
        state.SkipWithError("Accept failed");
        return;
      }
    }
    streams.Advance();
    benchmark::DoNotOptimize(events.data());
  }
  SetCounters(state, n);
}
BENCHMARK(BM_AsrSoloAccept)
    ->ArgNames({"streams", "search"})
    ->Args({1, 0})
    ->Args({8, 0})
    ->Args({32, 0})
    ->Args({64, 0})
    ->Args({8, 1})
    ->Args({8, 2})
    ->Unit(benchmark::kMillisecond);

void BM_AsrAcceptBatch(benchmark::State& state) {
  const AsrPipeline* pipeline = Shipped(state);
  if (pipeline == nullptr) return;
  const int n = static_cast<int>(state.range(0));
  Streams streams(*pipeline, n);
  AsrBatcher batcher(pipeline);
  std::vector<std::span<const float>> samples(static_cast<size_t>(n));
  std::vector<std::vector<AsrEvent>> events;
  int64_t steps = 0;
  for (auto _ : state) {
    if (!RestartIfExhausted(state, &streams)) return;
    for (int i = 0; i < n; ++i) samples[static_cast<size_t>(i)] = streams.Chunk(i);
    if (!batcher.AcceptBatch(streams.raw(), samples, &events).ok()) {
      state.SkipWithError("AcceptBatch failed");
      return;
    }
    steps += batcher.last_network_steps();
    streams.Advance();
    benchmark::DoNotOptimize(events.data());
  }
  SetCounters(state, n);
  state.counters["network_steps_per_call"] =
      static_cast<double>(steps) / static_cast<double>(std::max<int64_t>(1, state.iterations()));
}
BENCHMARK(BM_AsrAcceptBatch)->Arg(8)->Arg(32)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::models
