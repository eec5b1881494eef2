// Layers against PyTorch goldens written by scripts/make_layer_golden.py.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "nn/layers/conv1d.h"
#include "nn/layers/linear.h"
#include "nn/layers/lstm.h"
#include "tests/nn/aurt_golden.h"

namespace auris::nn {
namespace {

float MaxAbsDiff(ConstTensorView a, const Tensor& b) {
  EXPECT_EQ(a.shape, b.shape());
  float m = 0.0f;
  for (int64_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    m = std::max(m, std::fabs(a.data[i] - b[i]));
  }
  return m;
}

template <typename L>
void ExpectMatchesTorch(const std::string& file, typename L::Options options, float tol) {
  const TensorMap golden = testing::ReadAurt(file);
  ASSERT_TRUE(golden.count("input") && golden.count("output")) << file;
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    options.impl = impl;
    L layer(options);
    ASSERT_TRUE(layer.Load(golden).ok()) << file;
    const Tensor& in = golden.at("input");
    Workspace ws;
    auto state = layer.InitState(in.shape()[0]);
    absl::StatusOr<TensorView> out = layer.Forward(in.view(), state.get(), &ws);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_LE(MaxAbsDiff(*out, golden.at("output")), tol)
        << file << (impl == KernelImpl::kOptimized ? " optimized" : " reference");
  }
}

TEST(LayersGoldenTest, LinearMatchesTorch) {
  ExpectMatchesTorch<Linear>("layers_linear.bin", {.in_features = 24, .out_features = 20}, 1e-5f);
}

TEST(LayersGoldenTest, Conv1dStrideDilationGroupsMatchesTorch) {
  ExpectMatchesTorch<Conv1d>("layers_conv1d.bin",
                             {.in_channels = 8,
                              .out_channels = 12,
                              .kernel_size = 3,
                              .stride = 2,
                              .dilation = 2,
                              .padding = 2,
                              .groups = 2},
                             1e-5f);
}

TEST(LayersGoldenTest, Conv1dDenseMatchesTorch) {
  ExpectMatchesTorch<Conv1d>("layers_conv1d_dense.bin",
                             {.in_channels = 6, .out_channels = 10, .kernel_size = 5, .padding = 2},
                             1e-5f);
}

TEST(LayersGoldenTest, CausalConv1dMatchesLeftPaddedTorch) {
  ExpectMatchesTorch<Conv1d>("layers_conv1d_causal.bin",
                             {.in_channels = 6,
                              .out_channels = 9,
                              .kernel_size = 3,
                              .stride = 2,
                              .dilation = 2,
                              .groups = 3,
                              .causal = true},
                             1e-5f);
}

TEST(LayersGoldenTest, LstmMatchesTorch) {
  ExpectMatchesTorch<Lstm>("layers_lstm.bin", {.input_size = 10, .hidden_size = 16}, 1e-5f);
}

TEST(LayersGoldenTest, LstmLongSequenceMatchesTorch) {
  ExpectMatchesTorch<Lstm>("layers_lstm_long.bin", {.input_size = 8, .hidden_size = 12}, 1e-4f);
}

}  // namespace
}  // namespace auris::nn
