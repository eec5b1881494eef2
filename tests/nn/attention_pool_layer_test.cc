// AttentionPool (nn/layers/attention_pool.h): PyTorch goldens from
// scripts/make_layer_golden.py (output frame t pools frames 0..t), optimized vs reference
// kernels on random odd shapes, chunk invariance of the running sums, 17 stacked streams vs
// solo, allocations and error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/layers/attention_pool.h"
#include "tests/nn/layer_test_util.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;
using testing::Random;

TensorMap PoolWeights(int64_t c, int64_t a, std::mt19937* rng, float scale = 1.0f) {
  TensorMap w;
  if (a > 0) {
    w.emplace("proj.weight", Random({a, c}, rng, 0.5f));
    w.emplace("proj.bias", Random({a}, rng, 0.2f));
  }
  w.emplace("score.weight", Random({1, a > 0 ? a : c}, rng, scale));
  return w;
}

TEST(AttentionPoolLayerTest, MatchesTorch) {
  const float err = testing::GoldenRelativeError<AttentionPool>(
      "layers_attention_pool.bin", {.in_features = 7, .attention_dim = 5});
  EXPECT_LE(err, 1e-4f);
  const float linear_err = testing::GoldenRelativeError<AttentionPool>(
      "layers_attention_pool_linear.bin", {.in_features = 6});
  EXPECT_LE(linear_err, 1e-4f);
  std::printf("attention_pool relative error vs torch: %.3g (tanh), %.3g (linear)\n", err,
              linear_err);
}

TEST(AttentionPoolLayerTest, OptimizedMatchesReferenceOnRandomOddShapes) {
  std::mt19937 rng(41);
  for (const auto& [c, a] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 0}, {1, 1}, {7, 0}, {13, 5}, {33, 17}, {4, 65}}) {
    const TensorMap w = PoolWeights(c, a, &rng);
    AttentionPool fast({.in_features = c, .attention_dim = a});
    AttentionPool ref({.in_features = c, .attention_dim = a, .impl = KernelImpl::kReference});
    ASSERT_TRUE(fast.Load(w).ok());
    ASSERT_TRUE(ref.Load(w).ok());
    const Tensor x = Random({3, 19, c}, &rng);
    EXPECT_LE(
        testing::MaxAbsDiff(testing::RunWhole(fast, x).view(), testing::RunWhole(ref, x).view()),
        1e-5f)
        << c << "x" << a;
  }
}

TEST(AttentionPoolLayerTest, LastFrameIsTheWholeSequencePooling) {
  std::mt19937 rng(42);
  AttentionPool pool({.in_features = 3});
  TensorMap w;
  w.emplace("score.weight", Tensor({1, 3}));
  w.at("score.weight")[0] = 1.0f;
  ASSERT_TRUE(pool.Load(w).ok());
  const Tensor x = Random({1, 4, 3}, &rng);
  const Tensor y = testing::RunWhole(pool, x);
  double den = 0.0, num[3] = {0.0, 0.0, 0.0};
  for (int64_t t = 0; t < 4; ++t) {
    const double e = std::exp(static_cast<double>(x[t * 3]));
    den += e;
    for (int64_t c = 0; c < 3; ++c) num[c] += e * x[t * 3 + c];
  }
  for (int64_t c = 0; c < 3; ++c) EXPECT_NEAR(y[3 * 3 + c], num[c] / den, 1e-5);
  for (int64_t c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(y[c], x[c]);  // frame 0 pools itself
}

TEST(AttentionPoolLayerTest, ChunksEqualWholeSequenceWithLargeScores) {
  std::mt19937 rng(43);
  for (const int64_t a : {0, 6}) {
    AttentionPool pool({.in_features = 5, .attention_dim = a});
    ASSERT_TRUE(pool.Load(PoolWeights(5, a, &rng, 20.0f)).ok());  // exp would overflow unshifted
    const Tensor x = Random({3, 61, 5}, &rng, 3.0f);
    const Tensor whole = testing::RunWhole(pool, x);
    EXPECT_LT(testing::MaxAbs(whole.view()), 20.0f);
    for (const int64_t chunk : {1, 3, 25}) {
      EXPECT_LE(testing::MaxAbsDiff(testing::RunChunked(pool, x, chunk).view(), whole.view()),
                1e-5f)
          << a << " chunk " << chunk;
    }
  }
}

TEST(AttentionPoolLayerTest, SeventeenStackedStreamsEqualSolo) {
  std::mt19937 rng(44);
  AttentionPool pool({.in_features = 6, .attention_dim = 4});
  ASSERT_TRUE(pool.Load(PoolWeights(6, 4, &rng, 3.0f)).ok());
  const Tensor x = Random({17, 30, 6}, &rng);
  EXPECT_LE(testing::StackedVersusSolo(pool, x, 7, 19), 1e-5f);
}

TEST(AttentionPoolLayerTest, SteadyStateForwardAllocatesNothing) {
  std::mt19937 rng(45);
  AttentionPool pool({.in_features = 8, .attention_dim = 3});
  ASSERT_TRUE(pool.Load(PoolWeights(8, 3, &rng)).ok());
  auto state = pool.InitState(2);
  const Tensor x = Random({2, 4, 8}, &rng);
  Workspace ws;
  int64_t warm = 0;
  for (int step = 0; step < 8; ++step) {
    if (step == 2) warm = ws.heap_allocations();
    ws.Reset();
    ASSERT_TRUE(pool.Forward(x.view(), state.get(), &ws).ok());
  }
  EXPECT_EQ(ws.heap_allocations(), warm);
}

TEST(AttentionPoolLayerTest, ErrorsNameTheProblem) {
  std::mt19937 rng(46);
  AttentionPool pool({.in_features = 4, .attention_dim = 3});
  TensorMap w = PoolWeights(4, 3, &rng);
  w.erase("proj.bias");
  EXPECT_EQ(pool.Load(w).message(), "missing weight 'proj.bias' of shape (3)");
  w = PoolWeights(4, 0, &rng);
  EXPECT_THAT(std::string(pool.Load(w).message()), HasSubstr("missing weight 'proj.weight'"));
  AttentionPool linear({.in_features = 4});
  w = PoolWeights(4, 3, &rng);
  EXPECT_EQ(linear.Load(w).message(), "weight 'score.weight': expected shape (1, 4), got (1, 3)");
  ASSERT_TRUE(pool.Load(w).ok());
  Workspace ws;
  auto state = pool.InitState(2);
  const Tensor x({1, 3, 4});
  EXPECT_EQ(pool.Forward(x.view(), state.get(), &ws).status().message(),
            "attention_pool state: expected shape (1, 4), got (2, 4)");
  EXPECT_EQ(pool.Forward(x.view(), nullptr, &ws).status().message(),
            "attention_pool needs its InitState()");
  const Tensor wrong({1, 3, 5});
  EXPECT_EQ(pool.Forward(wrong.view(), state.get(), &ws).status().message(),
            "attention_pool input: expected shape (N, T, 4), got (1, 3, 5)");
  AttentionPool bad({.in_features = 0});
  EXPECT_THAT(std::string(bad.Load(w).message()), HasSubstr("attention_pool options invalid"));
}

}  // namespace
}  // namespace auris::nn
