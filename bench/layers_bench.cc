// nn/ layers: optimized (OpenBLAS sgemm, single-threaded) vs naive reference kernels.
// Arg 0 = optimized, 1 = reference; compare the two rows' times for the speed-up.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>

#include "bench/nn_bench_util.h"
#include "nn/layers/conv1d.h"
#include "nn/layers/linear.h"
#include "nn/layers/lstm.h"

namespace auris::nn {
namespace {

using bench::Impl;
using bench::Random;

void Run(benchmark::State& state, const Layer& layer, const Tensor& x, double flops) {
  Workspace ws;
  auto layer_state = layer.InitState(x.shape()[0]);
  for (auto _ : state) {
    ws.Reset();
    absl::StatusOr<TensorView> y = layer.Forward(x.view(), layer_state.get(), &ws);
    if (!y.ok()) state.SkipWithError("forward failed");
    benchmark::DoNotOptimize(y->data);
  }
  state.counters["GFLOPS"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(Impl(state) == KernelImpl::kOptimized ? "optimized" : "reference");
}

void BM_Linear512(benchmark::State& state) {
  std::mt19937 rng(1);
  TensorMap w;
  w.emplace("weight", Random({512, 512}, &rng, 0.05f));
  w.emplace("bias", Random({512}, &rng, 0.1f));
  Linear layer({.in_features = 512, .out_features = 512, .impl = Impl(state)});
  if (!layer.Load(w).ok()) state.SkipWithError("load failed");
  Run(state, layer, Random({1, 100, 512}, &rng, 1.0f), 2.0 * 100 * 512 * 512);
}
BENCHMARK(BM_Linear512)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_Conv1dC64K5(benchmark::State& state) {
  std::mt19937 rng(2);
  TensorMap w;
  w.emplace("weight", Random({64, 64, 5}, &rng, 0.05f));
  w.emplace("bias", Random({64}, &rng, 0.1f));
  Conv1d layer(
      {.in_channels = 64, .out_channels = 64, .kernel_size = 5, .padding = 2, .impl = Impl(state)});
  if (!layer.Load(w).ok()) state.SkipWithError("load failed");
  Run(state, layer, Random({1, 200, 64}, &rng, 1.0f), 2.0 * 200 * 64 * 64 * 5);
}
BENCHMARK(BM_Conv1dC64K5)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_Lstm320(benchmark::State& state) {
  std::mt19937 rng(3);
  const int64_t h = 320;
  TensorMap w;
  w.emplace("weight_ih_l0", Random({4 * h, h}, &rng, 0.05f));
  w.emplace("weight_hh_l0", Random({4 * h, h}, &rng, 0.05f));
  w.emplace("bias_ih_l0", Random({4 * h}, &rng, 0.1f));
  w.emplace("bias_hh_l0", Random({4 * h}, &rng, 0.1f));
  Lstm layer({.input_size = h, .hidden_size = h, .impl = Impl(state)});
  if (!layer.Load(w).ok()) state.SkipWithError("load failed");
  Run(state, layer, Random({1, 100, h}, &rng, 1.0f), 2.0 * 100 * 2 * 4 * h * h);
}
BENCHMARK(BM_Lstm320)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace auris::nn
