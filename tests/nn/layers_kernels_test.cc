// Optimized kernels vs naive reference kernels on random (odd) shapes, streaming chunk
// invariance, batched-vs-solo streams, and shape errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nn/layers/conv1d.h"
#include "nn/layers/linear.h"
#include "nn/layers/lstm.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

Tensor Random(const Shape& shape, std::mt19937* rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = dist(*rng);
  return t;
}

float MaxAbsDiff(ConstTensorView a, ConstTensorView b) {
  EXPECT_EQ(a.shape, b.shape);
  float m = 0.0f;
  for (int64_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    m = std::max(m, std::fabs(a.data[i] - b.data[i]));
  }
  return m;
}

// Runs `layer` on `in` once with fresh state and returns a copy of the output.
Tensor RunWhole(const Layer& layer, const Tensor& in) {
  Workspace ws;
  auto state = layer.InitState(in.shape()[0]);
  absl::StatusOr<TensorView> out = layer.Forward(in.view(), state.get(), &ws);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? Tensor::FromView(*out) : Tensor();
}

// Feeds `in` (N, T, C) in chunks of `chunk` frames and concatenates the outputs over time.
Tensor RunChunked(const Layer& layer, const Tensor& in, int64_t chunk) {
  const int64_t n = in.shape()[0], t = in.shape()[1], c = in.shape()[2];
  auto state = layer.InitState(n);
  Workspace ws;
  std::vector<std::vector<float>> rows(n);
  int64_t cout = 0, frames = 0;
  for (int64_t start = 0; start < t; start += chunk) {
    const int64_t len = std::min(chunk, t - start);
    ws.Reset();
    TensorView piece = ws.Allocate({n, len, c});
    for (int64_t b = 0; b < n; ++b) {
      std::copy_n(in.data() + (b * t + start) * c, len * c, piece.data + b * len * c);
    }
    absl::StatusOr<TensorView> out = layer.Forward(piece, state.get(), &ws);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return Tensor();
    cout = out->shape[2];
    frames += out->shape[1];
    for (int64_t b = 0; b < n; ++b) {
      const float* src = out->data + b * out->shape[1] * cout;
      rows[b].insert(rows[b].end(), src, src + out->shape[1] * cout);
    }
  }
  Tensor result({n, frames, cout});
  for (int64_t b = 0; b < n; ++b)
    std::copy(rows[b].begin(), rows[b].end(), result.data() + b * frames * cout);
  return result;
}

TensorMap ConvWeights(const Conv1d::Options& o, std::mt19937* rng) {
  TensorMap w;
  w.emplace("weight", Random({o.out_channels, o.in_channels / o.groups, o.kernel_size}, rng, 0.3f));
  w.emplace("bias", Random({o.out_channels}, rng));
  return w;
}

TensorMap LstmWeights(int64_t in, int64_t h, std::mt19937* rng) {
  TensorMap w;
  w.emplace("weight_ih_l0", Random({4 * h, in}, rng, 0.3f));
  w.emplace("weight_hh_l0", Random({4 * h, h}, rng, 0.3f));
  w.emplace("bias_ih_l0", Random({4 * h}, rng, 0.1f));
  w.emplace("bias_hh_l0", Random({4 * h}, rng, 0.1f));
  return w;
}

TEST(LayersKernelsTest, LinearOptimizedMatchesReference) {
  std::mt19937 rng(11);
  for (const auto& [in, out, t] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {1, 1, 1}, {7, 13, 5}, {33, 65, 17}, {128, 3, 2}}) {
    TensorMap w;
    w.emplace("weight", Random({out, in}, &rng));
    w.emplace("bias", Random({out}, &rng));
    Linear fast({.in_features = in, .out_features = out});
    Linear ref({.in_features = in, .out_features = out, .impl = KernelImpl::kReference});
    ASSERT_TRUE(fast.Load(w).ok());
    ASSERT_TRUE(ref.Load(w).ok());
    const Tensor x = Random({3, t, in}, &rng);
    EXPECT_LE(MaxAbsDiff(RunWhole(fast, x).view(), RunWhole(ref, x).view()), 1e-4f);
  }
}

TEST(LayersKernelsTest, Conv1dOptimizedMatchesReferenceOnRandomShapes) {
  std::mt19937 rng(12);
  for (int trial = 0; trial < 40; ++trial) {
    std::uniform_int_distribution<int64_t> small(1, 4);
    Conv1d::Options o;
    o.groups = small(rng);
    o.in_channels = o.groups * small(rng) + (trial % 2 ? 0 : o.groups * 2);
    o.out_channels = o.groups * small(rng);
    o.kernel_size = small(rng) + 1;
    o.stride = small(rng);
    o.dilation = small(rng) % 3 + 1;
    o.causal = trial % 3 == 0;
    o.padding = o.causal ? 0 : small(rng) - 1;
    const TensorMap w = ConvWeights(o, &rng);
    Conv1d fast(o);
    o.impl = KernelImpl::kReference;
    Conv1d ref(o);
    ASSERT_TRUE(fast.Load(w).ok());
    ASSERT_TRUE(ref.Load(w).ok());
    const Tensor x = Random({2, 9 + trial, o.in_channels}, &rng);
    EXPECT_LE(MaxAbsDiff(RunWhole(fast, x).view(), RunWhole(ref, x).view()), 1e-4f)
        << "trial " << trial;
  }
}

TEST(LayersKernelsTest, CausalConv1dChunksEqualWholeSequence) {
  std::mt19937 rng(13);
  for (const int64_t stride : {1, 2, 3}) {
    const Conv1d::Options o{.in_channels = 6,
                            .out_channels = 8,
                            .kernel_size = 5,
                            .stride = stride,
                            .dilation = 2,
                            .groups = 2,
                            .causal = true};
    Conv1d conv(o);
    ASSERT_TRUE(conv.Load(ConvWeights(o, &rng)).ok());
    const Tensor x = Random({2, 47, 6}, &rng);
    const Tensor whole = RunWhole(conv, x);
    EXPECT_EQ(whole.shape()[1], (47 + stride - 1) / stride);
    for (const int64_t chunk : {1, 3, 10}) {
      EXPECT_LE(MaxAbsDiff(RunChunked(conv, x, chunk).view(), whole.view()), 1e-5f)
          << "stride " << stride << " chunk " << chunk;
    }
  }
}

TEST(LayersKernelsTest, LstmOptimizedMatchesReferenceAndChunksEqualWhole) {
  std::mt19937 rng(14);
  for (const auto& [in, h] : std::vector<std::pair<int64_t, int64_t>>{{3, 5}, {17, 31}}) {
    const TensorMap w = LstmWeights(in, h, &rng);
    Lstm fast({.input_size = in, .hidden_size = h});
    Lstm ref({.input_size = in, .hidden_size = h, .impl = KernelImpl::kReference});
    ASSERT_TRUE(fast.Load(w).ok());
    ASSERT_TRUE(ref.Load(w).ok());
    const Tensor x = Random({3, 41, in}, &rng);
    const Tensor whole = RunWhole(fast, x);
    EXPECT_LE(MaxAbsDiff(whole.view(), RunWhole(ref, x).view()), 1e-5f);
    for (const int64_t chunk : {1, 3, 10}) {
      EXPECT_LE(MaxAbsDiff(RunChunked(fast, x, chunk).view(), whole.view()), 1e-5f) << chunk;
    }
  }
}

TEST(LayersKernelsTest, LstmBatchedStreamsEqualSoloStreams) {
  std::mt19937 rng(15);
  Lstm lstm({.input_size = 4, .hidden_size = 9});
  ASSERT_TRUE(lstm.Load(LstmWeights(4, 9, &rng)).ok());
  const int64_t n = 17, t = 12;
  const Tensor x = Random({n, t, 4}, &rng);
  const Tensor batched = RunWhole(lstm, x);
  for (int64_t b = 0; b < n; ++b) {
    const Tensor solo_in = Tensor::FromView({x.data() + b * t * 4, Shape{1, t, 4}});
    const Tensor solo = RunWhole(lstm, solo_in);
    EXPECT_LE(MaxAbsDiff(solo.view(), {batched.data() + b * t * 9, Shape{1, t, 9}}), 1e-5f);
  }
}

TEST(LayersKernelsTest, SteadyStateForwardAllocatesNothing) {
  std::mt19937 rng(16);
  const Conv1d::Options co{.in_channels = 8, .out_channels = 8, .kernel_size = 3, .causal = true};
  Conv1d conv(co);
  Lstm lstm({.input_size = 8, .hidden_size = 8});
  ASSERT_TRUE(conv.Load(ConvWeights(co, &rng)).ok());
  ASSERT_TRUE(lstm.Load(LstmWeights(8, 8, &rng)).ok());
  auto conv_state = conv.InitState(2);
  auto lstm_state = lstm.InitState(2);
  const Tensor x = Random({2, 4, 8}, &rng);
  Workspace ws;
  int64_t warm = 0;
  for (int step = 0; step < 10; ++step) {
    if (step == 2) warm = ws.heap_allocations();
    ws.Reset();
    absl::StatusOr<TensorView> y = conv.Forward(x.view(), conv_state.get(), &ws);
    ASSERT_TRUE(y.ok());
    ASSERT_TRUE(lstm.Forward(*y, lstm_state.get(), &ws).ok());
  }
  EXPECT_EQ(ws.heap_allocations(), warm);
}

TEST(LayersKernelsTest, ShapeErrorsNameExpectedAndActual) {
  std::mt19937 rng(17);
  Linear lin({.in_features = 4, .out_features = 2});
  TensorMap bad;
  bad.emplace("weight", Tensor({2, 5}));
  const absl::Status load = lin.Load(bad);
  EXPECT_EQ(load.message(), "weight 'weight': expected shape (2, 4), got (2, 5)");
  TensorMap good;
  good.emplace("weight", Tensor({2, 4}));
  EXPECT_THAT(std::string(lin.Load(good).message()), HasSubstr("missing weight 'bias'"));
  good.emplace("bias", Tensor({2}));
  ASSERT_TRUE(lin.Load(good).ok());
  Workspace ws;
  const Tensor x({1, 3, 5});
  EXPECT_EQ(lin.Forward(x.view(), nullptr, &ws).status().message(),
            "linear input: expected shape (N, T, 4), got (1, 3, 5)");
  Lstm lstm({.input_size = 5, .hidden_size = 3});
  ASSERT_TRUE(lstm.Load(LstmWeights(5, 3, &rng)).ok());
  auto state = lstm.InitState(2);
  EXPECT_EQ(lstm.Forward(x.view(), state.get(), &ws).status().message(),
            "lstm state: expected shape (1, 3), got (2, 3)");
  Conv1d conv({.in_channels = 4, .out_channels = 3, .groups = 2});
  EXPECT_THAT(std::string(conv.Load({}).message()), HasSubstr("conv1d options invalid"));
}

}  // namespace
}  // namespace auris::nn
