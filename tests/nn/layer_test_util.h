// Test-only helpers shared by the per-layer tests (tests/nn/*_layer_test.cc): random
// tensors, whole/chunked/stacked runs of one Layer, and the PyTorch golden comparison
// (relative tolerance: max|ours - torch| <= rel * max|torch|).
#ifndef AURIS_TESTS_NN_LAYER_TEST_UTIL_H_
#define AURIS_TESTS_NN_LAYER_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nn/layers/layer.h"
#include "tests/nn/aurt_golden.h"

namespace auris::nn::testing {

inline Tensor Random(const Shape& shape, std::mt19937* rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = dist(*rng);
  return t;
}

inline float MaxAbs(ConstTensorView a) {
  float m = 0.0f;
  for (int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a.data[i]));
  return m;
}

// Infinity when the shapes differ (also a test failure).
inline float MaxAbsDiff(ConstTensorView a, ConstTensorView b) {
  EXPECT_EQ(a.shape, b.shape);
  if (a.shape != b.shape) return INFINITY;
  float m = 0.0f;
  for (int64_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  return m;
}

// Frames [begin, end) of (N, T, C) `x`, streams [s0, s1) (all when s1 < 0).
inline Tensor Slice(const Tensor& x, int64_t begin, int64_t end, int64_t s0 = 0, int64_t s1 = -1) {
  const int64_t t = x.shape()[1], c = x.shape()[2];
  if (s1 < 0) s1 = x.shape()[0];
  Tensor out({s1 - s0, end - begin, c});
  for (int64_t b = s0; b < s1; ++b) {
    std::memcpy(out.data() + (b - s0) * (end - begin) * c, x.data() + (b * t + begin) * c,
                sizeof(float) * (end - begin) * c);
  }
  return out;
}

// Concatenates (N, T_i, C) tensors over time.
inline Tensor ConcatTime(const std::vector<Tensor>& parts) {
  const int64_t n = parts.at(0).shape()[0], c = parts.at(0).shape()[2];
  int64_t total = 0;
  for (const Tensor& p : parts) total += p.shape()[1];
  Tensor out({n, total, c});
  int64_t at = 0;
  for (const Tensor& p : parts) {
    const int64_t t = p.shape()[1];
    for (int64_t b = 0; b < n; ++b) {
      std::memcpy(out.data() + (b * total + at) * c, p.data() + b * t * c, sizeof(float) * t * c);
    }
    at += t;
  }
  return out;
}

inline Tensor Run(const Layer& layer, const Tensor& x, LayerState* state, Workspace* ws) {
  ws->Reset();
  absl::StatusOr<TensorView> y = layer.Forward(x.view(), state, ws);
  EXPECT_TRUE(y.ok()) << y.status();
  return y.ok() ? Tensor::FromView(*y) : Tensor(Shape{x.shape()[0], 0, 1});
}

inline Tensor RunWhole(const Layer& layer, const Tensor& x) {
  Workspace ws;
  auto state = layer.InitState(x.shape()[0]);
  return Run(layer, x, state.get(), &ws);
}

inline Tensor RunChunked(const Layer& layer, const Tensor& x, int64_t chunk) {
  Workspace ws;
  auto state = layer.InitState(x.shape()[0]);
  std::vector<Tensor> outs;
  for (int64_t t = 0; t < x.shape()[1]; t += chunk) {
    outs.push_back(Run(layer, Slice(x, t, std::min(t + chunk, x.shape()[1])), state.get(), &ws));
  }
  return ConcatTime(outs);
}

// Each stream of `x` (S, T, C) alone in one call vs: frames [0, a) per stream, [a, b) with
// all S states stacked into one batched state (CopyStream in), then unstacked (CopyStream
// out), and [b, T) per stream again. Returns the largest difference.
inline float StackedVersusSolo(const Layer& layer, const Tensor& x, int64_t a, int64_t b) {
  const int64_t s_count = x.shape()[0], t = x.shape()[1];
  Workspace ws;
  std::vector<std::unique_ptr<LayerState>> solo;
  std::vector<std::vector<Tensor>> outs(s_count);
  for (int64_t s = 0; s < s_count; ++s) {
    solo.push_back(layer.InitState(1));
    outs[s].push_back(Run(layer, Slice(x, 0, a, s, s + 1), solo[s].get(), &ws));
  }
  auto batched = layer.InitState(s_count);
  for (int64_t s = 0; s < s_count; ++s) batched->CopyStream(*solo[s], 0, s);
  const Tensor mid = Run(layer, Slice(x, a, b), batched.get(), &ws);
  for (int64_t s = 0; s < s_count; ++s) {
    solo[s]->CopyStream(*batched, s, 0);
    outs[s].push_back(Slice(mid, 0, mid.shape()[1], s, s + 1));
    outs[s].push_back(Run(layer, Slice(x, b, t, s, s + 1), solo[s].get(), &ws));
  }
  float worst = 0.0f;
  for (int64_t s = 0; s < s_count; ++s) {
    const Tensor want = RunWhole(layer, Slice(x, 0, t, s, s + 1));
    worst = std::max(worst, MaxAbsDiff(ConcatTime(outs[s]).view(), want.view()));
  }
  return worst;
}

// Runs layer type L (both kernels) on the golden "input" and returns the largest
// max|ours - torch| / max|torch| over the two; loads the golden's weights.
template <typename L>
float GoldenRelativeError(const std::string& file, typename L::Options options) {
  const TensorMap golden = ReadAurt(file);
  EXPECT_TRUE(golden.count("input") && golden.count("output")) << file;
  if (!golden.count("input") || !golden.count("output")) return INFINITY;
  const Tensor& want = golden.at("output");
  float worst = 0.0f;
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    options.impl = impl;
    L layer(options);
    const absl::Status load = layer.Load(golden);
    EXPECT_TRUE(load.ok()) << file << ": " << load;
    if (!load.ok()) return INFINITY;
    const Tensor got = RunWhole(layer, golden.at("input"));
    worst = std::max(worst, MaxAbsDiff(got.view(), want.view()) / MaxAbs(want.view()));
  }
  return worst;
}

}  // namespace auris::nn::testing

#endif  // AURIS_TESTS_NN_LAYER_TEST_UTIL_H_
