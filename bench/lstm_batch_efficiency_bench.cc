// Batched LSTM step efficiency (issue #5): one time step of an LSTM layer (input 320,
// hidden 320, the reference ASR geometry) for B streams at once, as the server's batcher
// runs it, against this machine's single-thread OpenBLAS sgemm peak measured in the same
// process. Counters: GFLOPS (2 * B * 4H * (I + H) per step, the input projection and the
// recurrent GEMM; gate math not counted) and efficiency = GFLOPS / peak GFLOPS.
// BM_SgemmPeak reports the peak itself (1024^3, one thread).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include "bench/nn_bench_util.h"
#include "nn/layers/lstm.h"

namespace auris::nn {
namespace {

using bench::Random;
using Clock = std::chrono::steady_clock;

constexpr int kPeakN = 1024;

// Best of 5 single-threaded 1024^3 sgemm calls, in GFLOP/s; measured once per process.
double SgemmPeakGflops() {
  static const double peak = [] {
    openblas_set_num_threads(1);
    std::vector<float> a(kPeakN * kPeakN, 0.5f), b(kPeakN * kPeakN, 0.25f), c(kPeakN * kPeakN);
    double best = 0.0;
    for (int rep = 0; rep < 5; ++rep) {
      const auto t0 = Clock::now();
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kPeakN, kPeakN, kPeakN, 1.0f, a.data(),
                  kPeakN, b.data(), kPeakN, 0.0f, c.data(), kPeakN);
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      best = std::max(best, 2.0 * kPeakN * kPeakN * kPeakN / s * 1e-9);
    }
    return best;
  }();
  return peak;
}

void BM_SgemmPeak(benchmark::State& state) {
  openblas_set_num_threads(1);
  std::vector<float> a(kPeakN * kPeakN, 0.5f), b(kPeakN * kPeakN, 0.25f), c(kPeakN * kPeakN);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kPeakN, kPeakN, kPeakN, 1.0f, a.data(),
                kPeakN, b.data(), kPeakN, 0.0f, c.data(), kPeakN);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOPS"] = benchmark::Counter(2.0 * kPeakN * kPeakN * kPeakN * 1e-9,
                                                benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SgemmPeak)->Unit(benchmark::kMillisecond);

void BM_LstmBatchedStep(benchmark::State& state) {
  const int64_t batch = state.range(0);
  const int64_t h = 320;
  std::mt19937 rng(3);
  TensorMap w;
  w.emplace("weight_ih_l0", Random({4 * h, h}, &rng, 0.05f));
  w.emplace("weight_hh_l0", Random({4 * h, h}, &rng, 0.05f));
  w.emplace("bias_ih_l0", Random({4 * h}, &rng, 0.1f));
  w.emplace("bias_hh_l0", Random({4 * h}, &rng, 0.1f));
  Lstm layer({.input_size = h, .hidden_size = h});
  if (!layer.Load(w).ok()) state.SkipWithError("load failed");
  const Tensor x = Random({batch, 1, h}, &rng, 1.0f);
  auto layer_state = layer.InitState(batch);
  Workspace ws;
  const double flops = 2.0 * batch * 4 * h * (h + h);
  const double peak = SgemmPeakGflops();
  const auto t0 = Clock::now();
  for (auto _ : state) {
    ws.Reset();
    absl::StatusOr<TensorView> y = layer.Forward(x.view(), layer_state.get(), &ws);
    if (!y.ok()) state.SkipWithError("forward failed");
    benchmark::DoNotOptimize(y->data);
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const double gflops = flops * static_cast<double>(state.iterations()) / s * 1e-9;
  state.counters["GFLOPS"] = gflops;
  state.counters["peak_GFLOPS"] = peak;
  state.counters["efficiency"] = gflops / peak;
  state.counters["us_per_stream_step"] =
      s / static_cast<double>(state.iterations()) * 1e6 / static_cast<double>(batch);
}
BENCHMARK(BM_LstmBatchedStep)->Arg(1)->Arg(8)->Arg(32)->Arg(128)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace auris::nn
