// Helpers shared by the nn/ layer benchmarks: seeded random tensors and the
// optimized-vs-reference switch read from a benchmark's first argument.
// Header-only; used from the benchmark thread only.
#ifndef AURIS_BENCH_NN_BENCH_UTIL_H_
#define AURIS_BENCH_NN_BENCH_UTIL_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>

#include "nn/layers/layer.h"

namespace auris::nn::bench {

// A tensor of `shape` filled with N(0, scale^2) draws from `rng`.
inline Tensor Random(const Shape& shape, std::mt19937* rng, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = dist(*rng);
  return t;
}

// Argument 0 of the benchmark: 0 = optimized kernels, anything else = reference kernels.
inline KernelImpl Impl(const benchmark::State& state) {
  return state.range(0) == 0 ? KernelImpl::kOptimized : KernelImpl::kReference;
}

}  // namespace auris::nn::bench

#endif  // AURIS_BENCH_NN_BENCH_UTIL_H_
