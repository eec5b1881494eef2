// Streaming forward of the issue #5 layers (gru, conv2d, attention_pool) and an LSTM of the
// same size, optimized (OpenBLAS sgemm, one thread) vs reference kernels, on random weights.
// Args: ref (0 optimized, 1 reference), n (streams in the batch), chunk (input frames per
// Forward call); the layer state is carried across iterations as in a live stream.
// Counters: frames/s (input frames of all streams per CPU second) and RTF (CPU seconds per
// second of audio at a 10 ms frame shift). After the runs a summary on stderr gives, from
// this one run, opt/ref CPU time and speed-up for each configuration and GRU/LSTM time.
// stdout stays the chosen --benchmark_format (console or json).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/nn_bench_util.h"
#include "nn/layers/attention_pool.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/gru.h"
#include "nn/layers/lstm.h"

namespace auris::nn {
namespace {

constexpr double kFrameSeconds = 0.010;
constexpr int64_t kMel = 80;
constexpr int64_t kHidden = 320;

using bench::Impl;
using bench::Random;

// Feeds the same (n, chunk, features) input every iteration into one carried state.
void RunStreaming(benchmark::State& state, const Layer& layer, int64_t features) {
  const int64_t n = state.range(1);
  const int64_t chunk = state.range(2);
  std::mt19937 rng(99);
  const Tensor x = Random({n, chunk, features}, &rng, 1.0f);
  Workspace ws;
  std::unique_ptr<LayerState> layer_state = layer.InitState(n);
  for (auto _ : state) {
    ws.Reset();
    absl::StatusOr<TensorView> y = layer.Forward(x.view(), layer_state.get(), &ws);
    if (!y.ok()) {
      state.SkipWithError(std::string(y.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(y->data);
  }
  const double frames = static_cast<double>(n * chunk);
  state.counters["frames/s"] =
      benchmark::Counter(frames, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["RTF"] =
      benchmark::Counter(frames * kFrameSeconds, benchmark::Counter::kIsIterationInvariantRate |
                                                     benchmark::Counter::kInvert);
  state.SetLabel(Impl(state) == KernelImpl::kOptimized ? "optimized" : "reference");
}

template <typename L>
void LoadOrSkip(benchmark::State& state, L* layer, const TensorMap& weights) {
  if (absl::Status s = layer->Load(weights); !s.ok()) {
    state.SkipWithError(std::string(s.message()).c_str());
  }
}

TensorMap RecurrentWeights(int64_t gates, int64_t in, int64_t h, bool bias) {
  std::mt19937 rng(3);
  TensorMap w;
  w.emplace("weight_ih_l0", Random({gates * h, in}, &rng, 0.05f));
  w.emplace("weight_hh_l0", Random({gates * h, h}, &rng, 0.05f));
  if (bias) {
    w.emplace("bias_ih_l0", Random({gates * h}, &rng, 0.1f));
    w.emplace("bias_hh_l0", Random({gates * h}, &rng, 0.1f));
  }
  return w;
}

// GRU 320 on 80 log-mel bins.
void BM_Gru(benchmark::State& state) {
  Gru layer({.input_size = kMel, .hidden_size = kHidden, .impl = Impl(state)});
  LoadOrSkip(state, &layer, RecurrentWeights(3, kMel, kHidden, true));
  RunStreaming(state, layer, kMel);
}

// LSTM of the same sizes, for the GRU/LSTM comparison.
void BM_Lstm(benchmark::State& state) {
  Lstm layer({.input_size = kMel, .hidden_size = kHidden, .impl = Impl(state)});
  LoadOrSkip(state, &layer, RecurrentWeights(4, kMel, kHidden, true));
  RunStreaming(state, layer, kMel);
}

// First conv2d of a mel front end: 1 -> 32 channels over 80 bins, 3x3, stride 2x2,
// padding_freq 1: (N, T, 80) -> (N, T/2, 32 * 40).
void BM_Conv2dMel(benchmark::State& state) {
  Conv2d::Options o{.in_channels = 1,
                    .out_channels = 32,
                    .freq = kMel,
                    .kernel_time = 3,
                    .kernel_freq = 3,
                    .stride_time = 2,
                    .stride_freq = 2,
                    .padding_freq = 1};
  o.impl = Impl(state);
  std::mt19937 rng(4);
  TensorMap w;
  w.emplace("weight", Random({32, 1, 3, 3}, &rng, 0.3f));
  w.emplace("bias", Random({32}, &rng, 0.1f));
  Conv2d layer(o);
  LoadOrSkip(state, &layer, w);
  RunStreaming(state, layer, kMel);
}

// Second conv2d of that front end: 32 -> 32 channels over 40 bins, 3x3, stride 2x2:
// (N, T, 32 * 40) -> (N, T/2, 32 * 20). Frames here are already at 20 ms; RTF and frames/s
// count them as input frames of this layer (10 ms each), so read its time ratio only.
void BM_Conv2dSecond(benchmark::State& state) {
  Conv2d::Options o{.in_channels = 32,
                    .out_channels = 32,
                    .freq = 40,
                    .kernel_time = 3,
                    .kernel_freq = 3,
                    .stride_time = 2,
                    .stride_freq = 2,
                    .padding_freq = 1};
  o.impl = Impl(state);
  std::mt19937 rng(5);
  TensorMap w;
  w.emplace("weight", Random({32, 32, 3, 3}, &rng, 0.05f));
  w.emplace("bias", Random({32}, &rng, 0.1f));
  Conv2d layer(o);
  LoadOrSkip(state, &layer, w);
  RunStreaming(state, layer, 32 * 40);
}

// attention_pool over GRU-sized features: C = 320, A = 128 (tanh projection).
void BM_AttentionPool(benchmark::State& state) {
  std::mt19937 rng(6);
  TensorMap w;
  w.emplace("proj.weight", Random({128, kHidden}, &rng, 0.05f));
  w.emplace("proj.bias", Random({128}, &rng, 0.1f));
  w.emplace("score.weight", Random({1, 128}, &rng, 0.1f));
  AttentionPool layer({.in_features = kHidden, .attention_dim = 128, .impl = Impl(state)});
  LoadOrSkip(state, &layer, w);
  RunStreaming(state, layer, kHidden);
}

void Streaming(benchmark::internal::Benchmark* b, const std::vector<int64_t>& chunks) {
  b->ArgNames({"ref", "n", "chunk"})
      ->ArgsProduct({{0, 1}, {1, 8}, chunks})
      ->Unit(benchmark::kMicrosecond);
}

void ShortAndLongChunks(benchmark::internal::Benchmark* b) { Streaming(b, {1, 32}); }
void LongChunks(benchmark::internal::Benchmark* b) { Streaming(b, {32}); }
void FrameAndUtterance(benchmark::internal::Benchmark* b) { Streaming(b, {1, 500}); }

BENCHMARK(BM_Gru)->Apply(ShortAndLongChunks);
BENCHMARK(BM_Lstm)->Apply(ShortAndLongChunks);
BENCHMARK(BM_Conv2dMel)->Apply(ShortAndLongChunks);
BENCHMARK(BM_Conv2dSecond)->Apply(LongChunks);
BENCHMARK(BM_AttentionPool)->Apply(FrameAndUtterance);

// Passes every run to the normal display reporter and keeps CPU seconds per iteration by
// "BM_X/n:../chunk:.." and kernel, for the summary.
class SummaryReporter : public benchmark::BenchmarkReporter {
 public:
  explicit SummaryReporter(benchmark::BenchmarkReporter* display) : display_(display) {}

  bool ReportContext(const Context& context) override { return display_->ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    display_->ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred || run.iterations == 0) continue;
      std::string args = run.run_name.args;  // "ref:0/n:1/chunk:32"
      const bool ref = args.rfind("ref:1", 0) == 0;
      args = args.substr(args.find('/') + 1);
      Entry& e = entries_[run.run_name.function_name + "/" + args];
      const double seconds = run.cpu_accumulated_time / static_cast<double>(run.iterations);
      (ref ? e.ref : e.opt) = seconds;
      if (!ref) e.rtf = run.counters.count("RTF") ? run.counters.at("RTF").value : 0.0;
    }
  }
  void Finalize() override { display_->Finalize(); }

  void PrintSummary() const {
    bool paired = false;
    for (const auto& [key, e] : entries_) paired = paired || (e.opt > 0.0 && e.ref > 0.0);
    if (!paired) return;
    std::fprintf(stderr, "\n%-32s %10s %10s %8s %9s %9s\n", "benchmark", "opt us", "ref us",
                 "opt/ref", "speed-up", "opt RTF");
    for (const auto& [key, e] : entries_) {
      if (e.opt <= 0.0 || e.ref <= 0.0) continue;
      std::fprintf(stderr, "%-32s %10.1f %10.1f %8.3f %8.1fx %9.5f\n", key.c_str(), e.opt * 1e6,
                   e.ref * 1e6, e.opt / e.ref, e.ref / e.opt, e.rtf);
    }
    std::fprintf(stderr, "\n%-24s %10s %10s %10s %10s\n", "gru vs lstm (H=320, I=80)", "gru opt us",
                 "lstm opt us", "opt g/l", "ref g/l");
    for (const auto& [key, gru] : entries_) {
      if (key.rfind("BM_Gru/", 0) != 0) continue;
      const auto lstm = entries_.find("BM_Lstm/" + key.substr(7));
      if (lstm == entries_.end() || lstm->second.opt <= 0.0 || gru.opt <= 0.0) continue;
      const double ref_ratio = lstm->second.ref > 0.0 ? gru.ref / lstm->second.ref : 0.0;
      std::fprintf(stderr, "%-24s %10.1f %10.1f %10.3f %10.3f\n", key.substr(7).c_str(),
                   gru.opt * 1e6, lstm->second.opt * 1e6, gru.opt / lstm->second.opt, ref_ratio);
    }
  }

 private:
  struct Entry {
    double opt = 0.0;  // CPU seconds per iteration
    double ref = 0.0;
    double rtf = 0.0;  // optimized
  };
  benchmark::BenchmarkReporter* display_;
  std::map<std::string, Entry> entries_;
};

}  // namespace
}  // namespace auris::nn

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  std::unique_ptr<benchmark::BenchmarkReporter> display(benchmark::CreateDefaultDisplayReporter());
  auris::nn::SummaryReporter summary(display.get());
  benchmark::RunSpecifiedBenchmarks(&summary);
  summary.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
