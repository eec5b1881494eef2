// Gru (nn/layers/gru.h): PyTorch goldens from scripts/make_layer_golden.py, optimized vs
// reference kernels on random odd shapes, chunk invariance, 17 stacked streams vs solo,
// steady-state allocations and error messages; bias=false (torch.nn.GRU(bias=False)) as a
// layer and as a 2-layer "gru" entry of the registry, against its own golden.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nn/layer_registry.h"
#include "nn/layers/gru.h"
#include "tests/nn/layer_test_util.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;
using testing::Random;

TensorMap GruWeights(int64_t in, int64_t h, std::mt19937* rng) {
  TensorMap w;
  w.emplace("weight_ih_l0", Random({3 * h, in}, rng, 0.4f));
  w.emplace("weight_hh_l0", Random({3 * h, h}, rng, 0.4f));
  w.emplace("bias_ih_l0", Random({3 * h}, rng, 0.2f));
  w.emplace("bias_hh_l0", Random({3 * h}, rng, 0.2f));
  return w;
}

TEST(GruLayerTest, MatchesTorch) {
  const float err =
      testing::GoldenRelativeError<Gru>("layers_gru.bin", {.input_size = 10, .hidden_size = 16});
  EXPECT_LE(err, 1e-4f);
  const float long_err =
      testing::GoldenRelativeError<Gru>("layers_gru_long.bin", {.input_size = 6, .hidden_size = 9});
  EXPECT_LE(long_err, 1e-4f);
  std::printf("gru relative error vs torch: %.3g (T=20), %.3g (T=200)\n", err, long_err);
}

// Registry plan of a one-entry "gru" layer list; fails the test when the list is rejected.
absl::StatusOr<LayerPlan> GruPlan(const std::string& fields) {
  absl::StatusOr<std::vector<LayerFields>> entries =
      ParseLayerList(R"([{"type": "gru", "name": "g", )" + fields + "}]");
  if (!entries.ok()) return entries.status();
  return FindLayerType("gru")->parse(entries->front());
}

TEST(GruLayerTest, WithoutBiasMatchesTorch) {
  const TensorMap golden = testing::ReadAurt("layers_gru_nobias.bin");
  ASSERT_EQ(golden.count("bias_ih_l0"), 0u);
  const Tensor& x = golden.at("input");
  const Tensor& want_l0 = golden.at("output_l0");
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    Gru gru({.input_size = 7, .hidden_size = 10, .bias = false, .impl = impl});
    ASSERT_TRUE(gru.Load(golden).ok());
    const Tensor got = testing::RunWhole(gru, x);
    const float err =
        testing::MaxAbsDiff(got.view(), want_l0.view()) / testing::MaxAbs(want_l0.view());
    EXPECT_LE(err, 1e-4f);
    EXPECT_LE(testing::MaxAbsDiff(testing::RunChunked(gru, x, 3).view(), got.view()), 1e-5f);
  }
  Gru with_bias({.input_size = 7, .hidden_size = 10});
  EXPECT_EQ(with_bias.Load(golden).message(), "missing weight 'bias_ih_l0' of shape (30)");
}

TEST(GruLayerTest, RegistryEntryWithoutBiasStoresNoBiasTensors) {
  absl::StatusOr<LayerPlan> plan =
      GruPlan(R"("input_size": 7, "hidden_size": 10, "num_layers": 2, "bias": false)");
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::vector<std::string> names;
  for (const auto& [name, shape] : plan->tensors) names.push_back(name);
  EXPECT_THAT(names, ::testing::ElementsAre("weight_ih_l0", "weight_hh_l0", "weight_ih_l1",
                                            "weight_hh_l1"));
  const TensorMap golden = testing::ReadAurt("layers_gru_nobias.bin");
  TensorMap weights;
  for (const auto& [name, shape] : plan->tensors) {
    ASSERT_EQ(golden.at(name).shape(), shape) << name;
    weights.emplace(name, golden.at(name).Clone());
  }
  const Tensor& want = golden.at("output");
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    absl::StatusOr<std::vector<std::unique_ptr<Layer>>> layers = plan->build(weights, 7, impl);
    ASSERT_TRUE(layers.ok()) << layers.status();
    ASSERT_EQ(layers->size(), 2u);
    Tensor y = testing::RunWhole(*layers->at(0), golden.at("input"));
    y = testing::RunWhole(*layers->at(1), y);
    EXPECT_LE(testing::MaxAbsDiff(y.view(), want.view()) / testing::MaxAbs(want.view()), 1e-4f);
  }

  absl::StatusOr<LayerPlan> biased = GruPlan(R"("input_size": 7, "hidden_size": 10)");
  ASSERT_TRUE(biased.ok());
  EXPECT_EQ(biased->tensors.size(), 4u);
  EXPECT_EQ(biased->tensors.back().first, "bias_hh_l0");
  EXPECT_EQ(GruPlan(R"("input_size": 7, "hidden_size": 10, "bias": 0)").status().message(),
            "layers[0] (\"g\", gru): field \"bias\" must be true or false, got 0");
}

TEST(GruLayerTest, OptimizedMatchesReferenceOnRandomOddShapes) {
  std::mt19937 rng(21);
  for (const auto& [in, h, n, t] : std::vector<std::tuple<int64_t, int64_t, int64_t, int64_t>>{
           {1, 1, 1, 1}, {3, 5, 3, 17}, {17, 31, 5, 9}, {33, 7, 2, 41}, {2, 65, 1, 13}}) {
    const TensorMap w = GruWeights(in, h, &rng);
    Gru fast({.input_size = in, .hidden_size = h});
    Gru ref({.input_size = in, .hidden_size = h, .impl = KernelImpl::kReference});
    ASSERT_TRUE(fast.Load(w).ok());
    ASSERT_TRUE(ref.Load(w).ok());
    const Tensor x = Random({n, t, in}, &rng);
    EXPECT_LE(
        testing::MaxAbsDiff(testing::RunWhole(fast, x).view(), testing::RunWhole(ref, x).view()),
        1e-5f)
        << in << "x" << h;
  }
}

TEST(GruLayerTest, ChunksEqualWholeSequence) {
  std::mt19937 rng(22);
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    Gru gru({.input_size = 7, .hidden_size = 11, .impl = impl});
    ASSERT_TRUE(gru.Load(GruWeights(7, 11, &rng)).ok());
    const Tensor x = Random({3, 61, 7}, &rng);
    const Tensor whole = testing::RunWhole(gru, x);
    for (const int64_t chunk : {1, 3, 25}) {
      EXPECT_LE(testing::MaxAbsDiff(testing::RunChunked(gru, x, chunk).view(), whole.view()), 1e-5f)
          << chunk;
    }
  }
}

TEST(GruLayerTest, SeventeenStackedStreamsEqualSolo) {
  std::mt19937 rng(23);
  Gru gru({.input_size = 5, .hidden_size = 9});
  ASSERT_TRUE(gru.Load(GruWeights(5, 9, &rng)).ok());
  const Tensor x = Random({17, 30, 5}, &rng);
  EXPECT_LE(testing::StackedVersusSolo(gru, x, 7, 19), 1e-5f);
}

TEST(GruLayerTest, SteadyStateForwardAllocatesNothing) {
  std::mt19937 rng(24);
  Gru gru({.input_size = 8, .hidden_size = 6});
  ASSERT_TRUE(gru.Load(GruWeights(8, 6, &rng)).ok());
  auto state = gru.InitState(2);
  const Tensor x = Random({2, 4, 8}, &rng);
  Workspace ws;
  int64_t warm = 0;
  for (int step = 0; step < 8; ++step) {
    if (step == 2) warm = ws.heap_allocations();
    ws.Reset();
    ASSERT_TRUE(gru.Forward(x.view(), state.get(), &ws).ok());
  }
  EXPECT_EQ(ws.heap_allocations(), warm);
}

TEST(GruLayerTest, ErrorsNameTheProblem) {
  std::mt19937 rng(25);
  Gru gru({.input_size = 5, .hidden_size = 3});
  TensorMap w = GruWeights(5, 3, &rng);
  w.erase("bias_hh_l0");
  EXPECT_EQ(gru.Load(w).message(), "missing weight 'bias_hh_l0' of shape (9)");
  w.emplace("bias_hh_l0", Tensor({12}));
  EXPECT_EQ(gru.Load(w).message(), "weight 'bias_hh_l0': expected shape (9), got (12)");
  w.at("bias_hh_l0") = Tensor({9});
  ASSERT_TRUE(gru.Load(w).ok());
  Workspace ws;
  auto state = gru.InitState(2);
  const Tensor x({1, 3, 5});
  EXPECT_EQ(gru.Forward(x.view(), state.get(), &ws).status().message(),
            "gru state: expected shape (1, 3), got (2, 3)");
  EXPECT_EQ(gru.Forward(x.view(), nullptr, &ws).status().message(), "gru needs its InitState()");
  const Tensor wrong({1, 3, 4});
  EXPECT_EQ(gru.Forward(wrong.view(), state.get(), &ws).status().message(),
            "gru input: expected shape (N, T, 5), got (1, 3, 4)");
  Gru bad({.input_size = 0, .hidden_size = 3});
  EXPECT_THAT(std::string(bad.Load(w).message()), HasSubstr("gru options invalid"));
}

}  // namespace
}  // namespace auris::nn
