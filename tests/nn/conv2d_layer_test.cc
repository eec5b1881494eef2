// Conv2d (nn/layers/conv2d.h): PyTorch goldens from scripts/make_layer_golden.py (causal in
// time, channel-major features), optimized vs reference kernels on random odd shapes, chunk
// invariance with time strides, 17 stacked streams vs solo, allocations and error messages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "nn/layers/conv2d.h"
#include "tests/nn/layer_test_util.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;
using testing::Random;

TensorMap ConvWeights(const Conv2d::Options& o, std::mt19937* rng) {
  TensorMap w;
  w.emplace("weight",
            Random({o.out_channels, o.in_channels, o.kernel_time, o.kernel_freq}, rng, 0.3f));
  w.emplace("bias", Random({o.out_channels}, rng));
  return w;
}

TEST(Conv2dLayerTest, MatchesTorch) {
  const float err = testing::GoldenRelativeError<Conv2d>("layers_conv2d.bin", {.in_channels = 2,
                                                                               .out_channels = 3,
                                                                               .freq = 11,
                                                                               .kernel_time = 3,
                                                                               .kernel_freq = 3,
                                                                               .stride_time = 2,
                                                                               .stride_freq = 2,
                                                                               .dilation_time = 2,
                                                                               .padding_freq = 1});
  EXPECT_LE(err, 1e-4f);
  const float dense_err =
      testing::GoldenRelativeError<Conv2d>("layers_conv2d_dense.bin", {.in_channels = 1,
                                                                       .out_channels = 4,
                                                                       .freq = 9,
                                                                       .kernel_time = 2,
                                                                       .kernel_freq = 4,
                                                                       .dilation_freq = 2});
  EXPECT_LE(dense_err, 1e-4f);
  std::printf("conv2d relative error vs torch: %.3g (strided), %.3g (dense)\n", err, dense_err);
}

Conv2d::Options RandomOptions(std::mt19937* rng) {
  std::uniform_int_distribution<int64_t> small(1, 4);
  Conv2d::Options o;
  o.in_channels = small(*rng);
  o.out_channels = small(*rng) + 1;
  o.kernel_time = small(*rng);
  o.kernel_freq = small(*rng);
  o.dilation_time = small(*rng) % 2 + 1;
  o.dilation_freq = small(*rng) % 3 + 1;
  o.stride_time = std::min<int64_t>(small(*rng) % 3 + 1, (o.kernel_time - 1) * o.dilation_time + 1);
  o.stride_freq = small(*rng) % 3 + 1;
  o.padding_freq = small(*rng) - 1;
  o.freq = (o.kernel_freq - 1) * o.dilation_freq + small(*rng) * 2 + 1;
  o.bias = small(*rng) != 1;
  return o;
}

TEST(Conv2dLayerTest, OptimizedMatchesReferenceOnRandomOddShapes) {
  std::mt19937 rng(31);
  for (int trial = 0; trial < 30; ++trial) {
    Conv2d::Options o = RandomOptions(&rng);
    TensorMap w = ConvWeights(o, &rng);
    if (!o.bias) w.erase("bias");
    Conv2d fast(o);
    o.impl = KernelImpl::kReference;
    Conv2d ref(o);
    ASSERT_TRUE(fast.Load(w).ok()) << trial;
    ASSERT_TRUE(ref.Load(w).ok()) << trial;
    const Tensor x = Random({2, 7 + trial, o.in_channels * o.freq}, &rng);
    const Tensor want = testing::RunWhole(ref, x);
    EXPECT_EQ(want.shape()[1], (7 + trial + o.stride_time - 1) / o.stride_time);
    EXPECT_EQ(want.shape()[2], o.out_channels * Conv2d::FreqOut(o));
    EXPECT_LE(testing::MaxAbsDiff(testing::RunWhole(fast, x).view(), want.view()), 1e-4f)
        << "trial " << trial;
  }
}

TEST(Conv2dLayerTest, ChunksEqualWholeSequence) {
  std::mt19937 rng(32);
  for (const int64_t stride : {1, 2, 3}) {
    const Conv2d::Options o{.in_channels = 2,
                            .out_channels = 3,
                            .freq = 8,
                            .kernel_time = 3,
                            .kernel_freq = 3,
                            .stride_time = stride,
                            .stride_freq = 2,
                            .dilation_time = 2,
                            .padding_freq = 1};
    Conv2d conv(o);
    ASSERT_TRUE(conv.Load(ConvWeights(o, &rng)).ok());
    const Tensor x = Random({2, 53, 16}, &rng);
    const Tensor whole = testing::RunWhole(conv, x);
    EXPECT_EQ(whole.shape()[1], (53 + stride - 1) / stride);
    for (const int64_t chunk : {1, 3, 25}) {
      EXPECT_LE(testing::MaxAbsDiff(testing::RunChunked(conv, x, chunk).view(), whole.view()),
                1e-5f)
          << "stride " << stride << " chunk " << chunk;
    }
  }
}

TEST(Conv2dLayerTest, SeventeenStackedStreamsEqualSolo) {
  std::mt19937 rng(33);
  const Conv2d::Options o{.in_channels = 2,
                          .out_channels = 2,
                          .freq = 5,
                          .kernel_time = 3,
                          .kernel_freq = 2,
                          .stride_time = 2};
  Conv2d conv(o);
  ASSERT_TRUE(conv.Load(ConvWeights(o, &rng)).ok());
  const Tensor x = Random({17, 30, 10}, &rng);
  EXPECT_LE(testing::StackedVersusSolo(conv, x, 7, 18), 1e-5f);
}

TEST(Conv2dLayerTest, SteadyStateForwardAllocatesNothing) {
  std::mt19937 rng(34);
  const Conv2d::Options o{
      .in_channels = 1, .out_channels = 4, .freq = 12, .kernel_time = 3, .kernel_freq = 3};
  Conv2d conv(o);
  ASSERT_TRUE(conv.Load(ConvWeights(o, &rng)).ok());
  auto state = conv.InitState(2);
  const Tensor x = Random({2, 4, 12}, &rng);
  Workspace ws;
  int64_t warm = 0;
  for (int step = 0; step < 8; ++step) {
    if (step == 2) warm = ws.heap_allocations();
    ws.Reset();
    ASSERT_TRUE(conv.Forward(x.view(), state.get(), &ws).ok());
  }
  EXPECT_EQ(ws.heap_allocations(), warm);
}

TEST(Conv2dLayerTest, ErrorsNameTheProblem) {
  std::mt19937 rng(35);
  const Conv2d::Options o{
      .in_channels = 2, .out_channels = 3, .freq = 6, .kernel_time = 2, .kernel_freq = 3};
  Conv2d conv(o);
  TensorMap w = ConvWeights(o, &rng);
  w.at("weight") = Tensor({3, 2, 3, 2});
  EXPECT_EQ(conv.Load(w).message(),
            "weight 'weight': expected shape (3, 2, 2, 3), got (3, 2, 3, 2)");
  w = ConvWeights(o, &rng);
  w.erase("bias");
  EXPECT_EQ(conv.Load(w).message(), "missing weight 'bias' of shape (3)");
  ASSERT_TRUE(conv.Load(ConvWeights(o, &rng)).ok());
  Workspace ws;
  auto state = conv.InitState(1);
  const Tensor x({1, 3, 6});
  EXPECT_EQ(conv.Forward(x.view(), state.get(), &ws).status().message(),
            "conv2d input: expected shape (N, T, 12 = in_channels * freq), got (1, 3, 6)");
  const Tensor two({2, 3, 12});
  EXPECT_EQ(conv.Forward(two.view(), state.get(), &ws).status().message(),
            "conv2d state: expected shape (2, 1, 12), got (1, 1, 12)");
  EXPECT_EQ(conv.Forward(two.view(), nullptr, &ws).status().message(),
            "conv2d needs its InitState()");
  Conv2d::Options too_wide = o;
  too_wide.kernel_freq = 7;
  Conv2d bad(too_wide);
  EXPECT_THAT(std::string(bad.Load(w).message()), HasSubstr("conv2d options invalid"));
  EXPECT_THAT(std::string(bad.Load(w).message()), HasSubstr("(0 output bins)"));
}

}  // namespace
}  // namespace auris::nn
