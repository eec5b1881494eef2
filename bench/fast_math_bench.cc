// nn/fast_math.h against std:: math: sigmoid and tanh on 1280 floats (the gates of one
// LSTM-320 step), the fused LSTM cell update (H = 320), and one LSTM-320 layer step.
// Arg 0 of every benchmark: 0 = fast math as dispatched (AVX2+FMA when the CPU has it),
// 1 = std:: math (what the optimized kernels used before), 2 = the portable scalar fallback
// of fast math. BM_LstmStep (N streams, one frame per call) runs the Lstm layer (arg 0), or
// the same two sgemms followed by the std:: cell update (arg 1, the kernel before fast
// math); arg 2 is not used there. Compare rows of one run for the speed-ups.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "bench/nn_bench_util.h"
#include "nn/fast_math.h"
#include "nn/layers/lstm.h"

namespace auris::nn {
namespace {

constexpr int64_t kHidden = 320;
constexpr int64_t kGates = 4 * kHidden;

float StdSigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

void StdSigmoidArray(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = StdSigmoid(x[i]);
}

void StdTanhArray(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

const char* Label(int64_t arg) {
  return arg == 0 ? ActiveFastMathKernels().name : (arg == 1 ? "std" : "scalar");
}

std::vector<float> Uniform(int64_t n, float lo, float hi, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

void RunElementwise(benchmark::State& state, void (*fast)(const float*, float*, int64_t),
                    void (*scalar)(const float*, float*, int64_t),
                    void (*exact)(const float*, float*, int64_t)) {
  const auto fn = state.range(0) == 0 ? fast : (state.range(0) == 1 ? exact : scalar);
  const std::vector<float> x = Uniform(kGates, -8.0f, 8.0f, 1);
  std::vector<float> y(kGates);
  for (auto _ : state) {
    fn(x.data(), y.data(), kGates);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * kGates);
  state.SetLabel(Label(state.range(0)));
}

void BM_Sigmoid1280(benchmark::State& state) {
  RunElementwise(state, &FastSigmoid, ScalarFastMathKernels().sigmoid, &StdSigmoidArray);
}
BENCHMARK(BM_Sigmoid1280)->Arg(0)->Arg(1)->Arg(2);

void BM_Tanh1280(benchmark::State& state) {
  RunElementwise(state, &FastTanh, ScalarFastMathKernels().tanh, &StdTanhArray);
}
BENCHMARK(BM_Tanh1280)->Arg(0)->Arg(1)->Arg(2);

void BM_LstmCell320(benchmark::State& state) {
  const auto fn = state.range(0) == 0 ? &LstmCellUpdate
                                      : (state.range(0) == 1 ? &LstmCellUpdateExact
                                                             : ScalarFastMathKernels().lstm_cell);
  const std::vector<float> gates = Uniform(kGates, -4.0f, 4.0f, 2);
  std::vector<float> h(kHidden, 0.0f), c(kHidden, 0.0f);
  for (auto _ : state) {
    fn(gates.data(), kHidden, h.data(), c.data());
    benchmark::DoNotOptimize(h.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * kHidden);
  state.SetLabel(Label(state.range(0)));
}
BENCHMARK(BM_LstmCell320)->Arg(0)->Arg(1)->Arg(2);

// Args: impl (0 layer with fast math, 1 sgemm + std:: cell), n streams; one frame per call.
void BM_LstmStep(benchmark::State& state) {
  const int64_t n = state.range(1);
  std::mt19937 rng(3);
  TensorMap w;
  w.emplace("weight_ih_l0", bench::Random({kGates, kHidden}, &rng, 0.05f));
  w.emplace("weight_hh_l0", bench::Random({kGates, kHidden}, &rng, 0.05f));
  w.emplace("bias_ih_l0", bench::Random({kGates}, &rng, 0.1f));
  w.emplace("bias_hh_l0", bench::Random({kGates}, &rng, 0.1f));
  const Tensor x = bench::Random({n, 1, kHidden}, &rng, 1.0f);
  Lstm layer({.input_size = kHidden, .hidden_size = kHidden});
  if (!layer.Load(w).ok()) state.SkipWithError("load failed");
  Workspace ws;
  std::unique_ptr<LayerState> layer_state = layer.InitState(n);
  std::vector<float> bias(kGates), h(n * kHidden, 0.0f), c(n * kHidden, 0.0f);
  std::vector<float> gates(n * kGates);
  for (int64_t j = 0; j < kGates; ++j) bias[j] = w.at("bias_ih_l0")[j] + w.at("bias_hh_l0")[j];
  for (auto _ : state) {
    if (state.range(0) == 0) {
      ws.Reset();
      absl::StatusOr<TensorView> y = layer.Forward(x.view(), layer_state.get(), &ws);
      benchmark::DoNotOptimize(y->data);
      continue;
    }
    for (int64_t b = 0; b < n; ++b) {
      std::memcpy(gates.data() + b * kGates, bias.data(), sizeof(float) * kGates);
    }
    SgemmNT(n, kGates, kHidden, x.data(), kHidden, w.at("weight_ih_l0").data(), kHidden,
            gates.data(), kGates, true);
    SgemmNT(n, kGates, kHidden, h.data(), kHidden, w.at("weight_hh_l0").data(), kHidden,
            gates.data(), kGates, true);
    for (int64_t b = 0; b < n; ++b) {
      LstmCellUpdateExact(gates.data() + b * kGates, kHidden, h.data() + b * kHidden,
                          c.data() + b * kHidden);
    }
    benchmark::DoNotOptimize(h.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel(state.range(0) == 0 ? "layer (fast math)" : "sgemm + std:: cell (before)");
}
BENCHMARK(BM_LstmStep)->ArgsProduct({{0, 1}, {1, 8}})->ArgNames({"impl", "n"});

}  // namespace
}  // namespace auris::nn
