// Networks using gru, conv2d and attention_pool (nn/layer_registry.cc) against PyTorch
// goldens from scripts/make_network_golden.py (netspec.SpecNet): whole and chunked (1, 3,
// 25 frames), optimized vs reference, 17 streams through Network::Stack/Unstack, and a
// table of malformed entries of the new layer types.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/network.h"
#include "tests/nn/layer_test_util.h"
#include "tests/nn/network_test_util.h"

namespace auris::nn {
namespace {

using testing::ConcatTime;
using ::testing::HasSubstr;
using testing::LoadNet;
using testing::MaxAbsDiff;
using testing::RunChunked;
using testing::Slice;
using testing::Step;

struct GoldenCase {
  std::string name;
  int64_t input_channels, output_channels, subsampling, receptive_field, runtime_layers;
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

class NewLayersGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(NewLayersGoldenTest, MatchesTorchWholeAndChunked) {
  const GoldenCase& c = GetParam();
  const TensorMap io = testing::ReadAurt("network_" + c.name + "_io.bin");
  const Tensor& x = io.at("input");
  const Tensor& want = io.at("output");
  for (const KernelImpl impl : {KernelImpl::kOptimized, KernelImpl::kReference}) {
    SCOPED_TRACE(impl == KernelImpl::kOptimized ? "optimized" : "reference");
    std::unique_ptr<Network> net = LoadNet(c.name, impl);
    ASSERT_NE(net, nullptr);
    EXPECT_EQ(net->input_channels(), c.input_channels);
    EXPECT_EQ(net->output_channels(), c.output_channels);
    EXPECT_EQ(net->subsampling(), c.subsampling);
    EXPECT_EQ(net->receptive_field(), c.receptive_field);
    EXPECT_EQ(net->num_runtime_layers(), c.runtime_layers);
    Workspace ws;
    auto state = net->InitState(x.shape()[0]);
    const Tensor whole = Step(*net, x, state.get(), &ws);
    const float rel = MaxAbsDiff(whole.view(), want.view()) / testing::MaxAbs(want.view());
    EXPECT_LE(rel, 1e-4f);
    std::printf("network %s %s: relative error vs torch %.3g\n", c.name.c_str(),
                impl == KernelImpl::kOptimized ? "optimized" : "reference", rel);
    for (const int64_t chunk : {1, 3, 25}) {
      SCOPED_TRACE(chunk);
      EXPECT_LE(MaxAbsDiff(RunChunked(*net, x, chunk).view(), whole.view()), 1e-5f);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Nets, NewLayersGoldenTest,
                         ::testing::Values(GoldenCase{"cnn_gru", 10, 7, 2, 3, 6},
                                           GoldenCase{"conv2d", 12, 4, 2, 7, 8}),
                         [](const auto& info) { return info.param.name; });

TEST(NewLayersNetworkTest, OptimizedMatchesReferenceOnLongRandomInput) {
  for (const std::string name : {"cnn_gru", "conv2d"}) {
    std::unique_ptr<Network> opt = LoadNet(name, KernelImpl::kOptimized);
    std::unique_ptr<Network> ref = LoadNet(name, KernelImpl::kReference);
    ASSERT_NE(opt, nullptr);
    ASSERT_NE(ref, nullptr);
    std::mt19937 rng(7);
    const Tensor x = testing::Random({3, 101, opt->input_channels()}, &rng);
    Workspace ws_a, ws_b;
    auto sa = opt->InitState(3);
    auto sb = ref->InitState(3);
    EXPECT_LE(
        MaxAbsDiff(Step(*opt, x, sa.get(), &ws_a).view(), Step(*ref, x, sb.get(), &ws_b).view()),
        1e-4f)
        << name;
  }
}

// 17 streams: chunks 0 and 2 run per stream, chunks 1 and 3 batched through Stack/Unstack.
TEST(NewLayersNetworkTest, SeventeenStackedStreamsEqualSolo) {
  for (const std::string name : {"cnn_gru", "conv2d"}) {
    SCOPED_TRACE(name);
    std::unique_ptr<Network> net = LoadNet(name, KernelImpl::kOptimized);
    ASSERT_NE(net, nullptr);
    constexpr int kStreams = 17;
    const std::vector<int64_t> chunks = {6, 4, 10, 12};
    std::mt19937 rng(11);
    const Tensor x = testing::Random({kStreams, 32, net->input_channels()}, &rng);
    std::vector<std::unique_ptr<NetworkState>> states;
    std::vector<NetworkState*> raw;
    for (int s = 0; s < kStreams; ++s) {
      states.push_back(net->InitState(1));
      raw.push_back(states.back().get());
    }
    std::vector<std::vector<Tensor>> outs(kStreams);
    Workspace ws;
    int64_t at = 0;
    for (size_t k = 0; k < chunks.size(); ++k) {
      const int64_t end = at + chunks[k];
      if (k % 2 == 0) {
        for (int s = 0; s < kStreams; ++s) {
          outs[s].push_back(Step(*net, Slice(x, at, end, s, s + 1), raw[s], &ws));
        }
      } else {
        absl::StatusOr<std::unique_ptr<NetworkState>> batched = net->Stack(raw);
        ASSERT_TRUE(batched.ok()) << batched.status();
        const Tensor y = Step(*net, Slice(x, at, end), batched->get(), &ws);
        ASSERT_TRUE(net->Unstack(**batched, raw).ok());
        for (int s = 0; s < kStreams; ++s) outs[s].push_back(Slice(y, 0, y.shape()[1], s, s + 1));
      }
      at = end;
    }
    float worst = 0.0f;
    for (int s = 0; s < kStreams; ++s) {
      Workspace solo_ws;
      auto solo = net->InitState(1);
      const Tensor want = Step(*net, Slice(x, 0, 32, s, s + 1), solo.get(), &solo_ws);
      worst = std::max(worst, MaxAbsDiff(ConcatTime(outs[s]).view(), want.view()));
    }
    EXPECT_LE(worst, 1e-5f);
  }
}

// ------------------------------------------------------------------ malformed entries

struct BadCase {
  std::string label;
  std::string layers;             // JSON layer list, over the tensors of network_conv2d
  std::vector<std::string> want;  // substrings of the message
  std::string drop_tensor = "";   // removed from the tensors when set
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

const char kC1[] =
    R"({"type": "conv2d", "name": "c1", "in_channels": 1, "out_channels": 3, "freq": 12,
        "kernel_time": 3, "kernel_freq": 3, "stride_time": 2, "stride_freq": 2,
        "padding_freq": 1})";

std::string WithC1(const std::string& rest) { return std::string("[") + kC1 + ", " + rest + "]"; }

std::vector<BadCase> BadCases() {
  const std::string c2 =
      R"({"type": "conv2d", "name": "c2", "in_channels": 3, "out_channels": 4, "freq": 6, )";
  return {
      {"conv2d_missing_freq",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3,
            "kernel_time": 3, "kernel_freq": 3}])",
       {"layers[0] (\"c\", conv2d): field \"freq\" is required"}},
      {"conv2d_missing_kernel_time",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 8,
            "kernel_freq": 3}])",
       {"field \"kernel_time\" is required"}},
      {"conv2d_kernel_wider_than_freq",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 4,
            "kernel_time": 1, "kernel_freq": 3, "dilation_freq": 2}])",
       {"field \"kernel_freq\" with dilation_freq 2 spans more than freq (4)", "got 3"}},
      {"conv2d_stride_beyond_kernel",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 8,
            "kernel_time": 2, "kernel_freq": 3, "stride_time": 3}])",
       {"field \"stride_time\" must be at most the time receptive field", "= 2, got 3"}},
      {"conv2d_negative_padding",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 8,
            "kernel_time": 2, "kernel_freq": 3, "padding_freq": -1}])",
       {"field \"padding_freq\" must be an integer in [0, 4096], got -1"}},
      {"conv2d_unknown_field",
       R"([{"type": "conv2d", "name": "c", "in_channels": 1, "out_channels": 3, "freq": 8,
            "kernel_time": 2, "kernel_freq": 3, "padding": 1}])",
       {"unknown field \"padding\"", "padding_freq"}},
      {"conv2d_too_many_features",
       R"([{"type": "conv2d", "name": "c", "in_channels": 300, "out_channels": 3, "freq": 300,
            "kernel_time": 2, "kernel_freq": 3}])",
       {"field \"freq\" times in_channels must be at most 65536"}},
      {"conv2d_channel_mismatch",
       WithC1(c2.substr(0, c2.find("\"freq\": 6")) +
              R"("freq": 5, "kernel_time": 2, "kernel_freq": 3})"),
       {"layers[1] (\"c2\", conv2d): field \"in_channels * freq\" is 15 but layers[0] (\"c1\", "
        "conv2d) outputs 18 channels"}},
      {"conv2d_missing_weight",
       WithC1(R"({"type": "relu", "name": "r1"})"),
       {"layers[0] (\"c1\", conv2d)", "missing tensor \"c1.weight\" of shape (3, 1, 3, 3)"},
       "c1.weight"},
      {"gru_zero_layers",
       R"([{"type": "gru", "name": "gru", "input_size": 8, "hidden_size": 9,
            "num_layers": 0}])",
       {"layers[0] (\"gru\", gru): field \"num_layers\" must be an integer in [1, 64], got 0"}},
      {"gru_string_size",
       R"([{"type": "gru", "name": "gru", "input_size": "8", "hidden_size": 9}])",
       {"field \"input_size\" must be an integer in [1, 65536], got \"8\""}},
      {"gru_too_deep",
       R"([{"type": "gru", "name": "gru", "input_size": 8, "hidden_size": 9,
            "num_layers": 2}])",
       {"missing tensor \"gru.weight_ih_l1\" of shape (27, 9)"}},
      {"gru_wrong_hidden",
       R"([{"type": "gru", "name": "gru", "input_size": 8, "hidden_size": 10}])",
       {"tensor \"gru.weight_ih_l0\" must have shape (30, 8), got (27, 8)"}},
      {"pool_negative_dim",
       R"([{"type": "attention_pool", "name": "pool", "in_features": 9,
            "attention_dim": -1}])",
       {"layers[0] (\"pool\", attention_pool): field \"attention_dim\" must be an integer in [0, "
        "65536], got -1"}},
      {"pool_missing_in_features",
       R"([{"type": "attention_pool", "name": "pool"}])",
       {"field \"in_features\" is required"}},
      {"pool_wrong_dim",
       R"([{"type": "attention_pool", "name": "pool", "in_features": 9, "attention_dim": 4}])",
       {"tensor \"pool.proj.weight\" must have shape (4, 9), got (5, 9)"}},
      {"pool_missing_score",
       R"([{"type": "attention_pool", "name": "pool", "in_features": 9, "attention_dim": 5}])",
       {"missing tensor \"pool.score.weight\" of shape (1, 5)"},
       "pool.score.weight"},
  };
}

class NewLayersBadListTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(NewLayersBadListTest, GivesAClearError) {
  static const absl::StatusOr<ModelFile> base =
      LoadModelFile(testing::NnGolden("network_conv2d.safetensors"));
  ASSERT_TRUE(base.ok()) << base.status();
  const BadCase& c = GetParam();
  ModelFile file;
  file.name = "bad.safetensors";
  file.metadata = base->metadata;
  file.metadata.layers_json = c.layers;
  for (const auto& [name, t] : base->tensors) file.tensors.emplace(name, t.Clone());
  if (!c.drop_tensor.empty()) {
    ASSERT_EQ(file.tensors.erase(c.drop_tensor), 1u);
  }
  absl::StatusOr<std::unique_ptr<Network>> net = Network::FromModelFile(std::move(file));
  ASSERT_FALSE(net.ok()) << c.label;
  EXPECT_EQ(net.status().code(), absl::StatusCode::kInvalidArgument);
  for (const std::string& want : c.want) {
    EXPECT_THAT(net.status().message(), HasSubstr(want)) << c.label;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, NewLayersBadListTest, ::testing::ValuesIn(BadCases()),
                         [](const auto& info) { return info.param.label; });

}  // namespace
}  // namespace auris::nn
