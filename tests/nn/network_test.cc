// Network (nn/network.h) against PyTorch goldens from scripts/make_network_golden.py
// (netspec.SpecNet), chunk invariance, Stack/Unstack batching, optimized vs reference
// kernels, batchnorm folding, and a table of malformed layer lists.
#include "nn/network.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/layers/batch_norm.h"
#include "nn/layers/conv1d.h"
#include "nn/layers/linear.h"
#include "tests/nn/aurt_golden.h"
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

Tensor Random(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = dist(rng);
  return t;
}

struct GoldenCase {
  std::string name;
  int64_t input_channels, output_channels, subsampling, receptive_field, runtime_layers;
};

void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

class NetworkGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(NetworkGoldenTest, MatchesTorchWholeAndChunked) {
  const GoldenCase& c = GetParam();
  TensorMap io = testing::ReadAurt("network_" + c.name + "_io.bin");
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
    EXPECT_EQ(net->metadata().task, "asr");
    ASSERT_EQ(net->extra_tensors().size(), 2u);
    EXPECT_EQ(net->extra_tensors().at("cmvn.mean").shape(), Shape{c.input_channels});
    EXPECT_EQ(net->extra_tensors().at("cmvn.std").shape(), Shape{c.input_channels});

    Workspace ws;
    auto state = net->InitState(x.shape()[0]);
    const Tensor whole = Step(*net, x, state.get(), &ws);
    EXPECT_LE(MaxAbsDiff(whole.view(), want.view()), 1e-4f);
    for (const int64_t chunk : {1, 3, 7}) {
      SCOPED_TRACE(chunk);
      const Tensor chunked = RunChunked(*net, x, chunk);
      EXPECT_LE(MaxAbsDiff(chunked.view(), whole.view()), 1e-5f);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Nets, NetworkGoldenTest,
                         ::testing::Values(GoldenCase{"asr", 12, 11, 4, 5, 8},
                                           GoldenCase{"misc", 8, 5, 6, 10, 11}),
                         [](const auto& info) { return info.param.name; });

TEST(NetworkTest, OptimizedMatchesReferenceOnLongRandomInput) {
  for (const std::string name : {"asr", "misc"}) {
    std::unique_ptr<Network> opt = LoadNet(name, KernelImpl::kOptimized);
    std::unique_ptr<Network> ref = LoadNet(name, KernelImpl::kReference);
    ASSERT_NE(opt, nullptr);
    ASSERT_NE(ref, nullptr);
    const Tensor x = Random({3, 101, opt->input_channels()}, 7);
    Workspace ws_a, ws_b;
    auto sa = opt->InitState(3);
    auto sb = ref->InitState(3);
    const Tensor a = Step(*opt, x, sa.get(), &ws_a);
    const Tensor b = Step(*ref, x, sb.get(), &ws_b);
    EXPECT_LE(MaxAbsDiff(a.view(), b.view()), 1e-4f) << name;
  }
}

TEST(NetworkTest, StackUnstackEqualsSeparateStreams) {
  std::unique_ptr<Network> net = LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  const int64_t c = net->input_channels();
  constexpr int kStreams = 3;
  // Chunks of 8 and 4 frames keep every stream in the same phase of the strides.
  const std::vector<int64_t> chunks = {8, 4, 8, 12};
  std::vector<Tensor> inputs;
  for (int s = 0; s < kStreams; ++s) inputs.push_back(Random({1, 32, c}, 100 + s));

  std::vector<Tensor> solo;
  for (int s = 0; s < kStreams; ++s) solo.push_back(RunChunked(*net, inputs[s], 32));

  // Chunk 0 and 2 run per stream; chunks 1 and 3 run batched.
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
    if (k % 2 == 0) {
      for (int s = 0; s < kStreams; ++s) {
        outs[s].push_back(Step(*net, Slice(inputs[s], at, at + chunks[k]), raw[s], &ws));
      }
    } else {
      absl::StatusOr<std::unique_ptr<NetworkState>> batched = net->Stack(raw);
      ASSERT_TRUE(batched.ok()) << batched.status();
      EXPECT_EQ((*batched)->batch(), kStreams);
      std::vector<Tensor> parts;
      for (int s = 0; s < kStreams; ++s) parts.push_back(Slice(inputs[s], at, at + chunks[k]));
      Tensor x({kStreams, chunks[k], c});
      for (int s = 0; s < kStreams; ++s) {
        std::memcpy(x.data() + s * chunks[k] * c, parts[s].data(), sizeof(float) * parts[s].size());
      }
      const Tensor y = Step(*net, x, batched->get(), &ws);
      ASSERT_TRUE(net->Unstack(**batched, raw).ok());
      const int64_t t_out = y.shape()[1], co = y.shape()[2];
      for (int s = 0; s < kStreams; ++s) {
        Tensor ys({1, t_out, co});
        std::memcpy(ys.data(), y.data() + s * t_out * co, sizeof(float) * t_out * co);
        outs[s].push_back(std::move(ys));
      }
    }
    at += chunks[k];
  }
  for (int s = 0; s < kStreams; ++s) {
    const Tensor got = ConcatTime(outs[s]);
    EXPECT_LE(MaxAbsDiff(got.view(), solo[s].view()), 1e-5f) << "stream " << s;
  }
}

TEST(NetworkTest, StackRejectsStatesInDifferentPhases) {
  std::unique_ptr<Network> net = LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  auto a = net->InitState();
  auto b = net->InitState();
  Workspace ws;
  Step(*net, Random({1, 4, 12}, 1), a.get(), &ws);
  Step(*net, Random({1, 5, 12}, 2), b.get(), &ws);
  NetworkState* both[] = {a.get(), b.get()};
  absl::StatusOr<std::unique_ptr<NetworkState>> s = net->Stack(both);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("pending input frame"));
  EXPECT_THAT(s.status().message(), HasSubstr("layers[0] (\"conv\", conv1d)"));

  auto batched = net->InitState(3);
  EXPECT_EQ(net->Unstack(*batched, both).code(), absl::StatusCode::kInvalidArgument);
  std::unique_ptr<Network> other = LoadNet("asr", KernelImpl::kOptimized);
  EXPECT_EQ(net->Stack(std::span<NetworkState* const>()).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto other_state = other->InitState();
  NetworkState* mixed[] = {a.get(), other_state.get()};
  EXPECT_THAT(net->Stack(mixed).status().message(), HasSubstr("not made by this network"));
}

TEST(NetworkTest, StackIntoReusesOneBatchedStateAcrossSteps) {
  std::unique_ptr<Network> net = LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  const int64_t c = net->input_channels();
  const Tensor x0 = Random({1, 24, c}, 31);
  const Tensor x1 = Random({1, 24, c}, 32);
  auto a = net->InitState();
  auto b = net->InitState();
  NetworkState* both[] = {a.get(), b.get()};
  auto batched = net->InitState(2);
  Workspace ws;
  std::vector<Tensor> out0, out1;
  for (int64_t at = 0; at < 24; at += 8) {
    ASSERT_TRUE(net->StackInto(both, batched.get()).ok());
    Tensor x({2, 8, c});
    std::memcpy(x.data(), Slice(x0, at, at + 8).data(), sizeof(float) * 8 * c);
    std::memcpy(x.data() + 8 * c, Slice(x1, at, at + 8).data(), sizeof(float) * 8 * c);
    const Tensor y = Step(*net, x, batched.get(), &ws);
    ASSERT_TRUE(net->Unstack(*batched, both).ok());
    const int64_t half = y.size() / 2;
    Tensor y0({1, y.shape()[1], y.shape()[2]}), y1({1, y.shape()[1], y.shape()[2]});
    std::memcpy(y0.data(), y.data(), sizeof(float) * half);
    std::memcpy(y1.data(), y.data() + half, sizeof(float) * half);
    out0.push_back(std::move(y0));
    out1.push_back(std::move(y1));
  }
  EXPECT_LE(MaxAbsDiff(ConcatTime(out0).view(), RunChunked(*net, x0, 24).view()), 1e-5f);
  EXPECT_LE(MaxAbsDiff(ConcatTime(out1).view(), RunChunked(*net, x1, 24).view()), 1e-5f);

  auto three = net->InitState(3);
  const absl::Status s = net->StackInto(both, three.get());
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("the states hold 2 streams but the batched state holds 3"));
  EXPECT_EQ(net->StackInto(both, nullptr).code(), absl::StatusCode::kInvalidArgument);
}

TEST(NetworkTest, ForwardChecksInputAndAllocatesNothingAfterWarmUp) {
  std::unique_ptr<Network> net = LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  auto state = net->InitState(2);
  Workspace ws;
  Tensor wrong_c({2, 4, 13});
  EXPECT_THAT(net->Forward(wrong_c.view(), state.get(), &ws).status().message(),
              HasSubstr("expected shape (2, T, 12)"));
  Tensor wrong_n({1, 4, 12});
  EXPECT_FALSE(net->Forward(wrong_n.view(), state.get(), &ws).ok());
  EXPECT_FALSE(net->Forward(wrong_n.view(), nullptr, &ws).ok());

  Tensor empty({2, 0, 12});
  absl::StatusOr<TensorView> y = net->Forward(empty.view(), state.get(), &ws);
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->shape, (Shape{2, 0, 11}));

  const Tensor x = Random({2, 16, 12}, 3);
  for (int i = 0; i < 3; ++i) Step(*net, x, state.get(), &ws);
  const int64_t allocations = ws.heap_allocations();
  for (int i = 0; i < 5; ++i) Step(*net, x, state.get(), &ws);
  EXPECT_EQ(ws.heap_allocations(), allocations);
}

TEST(NetworkTest, FoldAffineEqualsBatchNormAfterTheLayer) {
  constexpr int64_t kIn = 5, kOut = 7;
  TensorMap bn_w;
  bn_w.emplace("weight", Random({kOut}, 1));
  bn_w.emplace("bias", Random({kOut}, 2));
  bn_w.emplace("running_mean", Random({kOut}, 3));
  Tensor var = Random({kOut}, 4);
  for (int64_t i = 0; i < kOut; ++i) var[i] = 0.5f + std::fabs(var[i]);
  bn_w.emplace("running_var", std::move(var));
  BatchNorm bn({.num_features = kOut});
  ASSERT_TRUE(bn.Load(bn_w).ok());
  const Tensor x = Random({2, 9, kIn}, 5);

  TensorMap conv_w;
  conv_w.emplace("weight", Random({kOut, kIn, 3}, 6));
  for (const bool bias : {true, false}) {
    if (bias) conv_w.emplace("bias", Random({kOut}, 7));
    Conv1d::Options o{.in_channels = kIn, .out_channels = kOut, .kernel_size = 3, .stride = 2};
    o.bias = bias;
    o.causal = true;
    Conv1d plain(o), folded(o);
    ASSERT_TRUE(plain.Load(conv_w).ok());
    ASSERT_TRUE(folded.Load(conv_w).ok());
    ASSERT_TRUE(folded.FoldAffine(bn.scale(), bn.shift()).ok());
    Workspace ws;
    auto s1 = plain.InitState(2);
    auto s2 = folded.InitState(2);
    absl::StatusOr<TensorView> y = plain.Forward(x.view(), s1.get(), &ws);
    absl::StatusOr<TensorView> want = bn.Forward(*y, nullptr, &ws);
    absl::StatusOr<TensorView> got = folded.Forward(x.view(), s2.get(), &ws);
    EXPECT_LE(MaxAbsDiff(*got, *want), 1e-5f);
  }

  TensorMap lin_w;
  lin_w.emplace("weight", Random({kOut, kIn}, 8));
  Linear plain({.in_features = kIn, .out_features = kOut, .bias = false});
  Linear folded({.in_features = kIn, .out_features = kOut, .bias = false});
  ASSERT_TRUE(plain.Load(lin_w).ok());
  ASSERT_TRUE(folded.Load(lin_w).ok());
  ASSERT_TRUE(folded.FoldAffine(bn.scale(), bn.shift()).ok());
  EXPECT_FALSE(folded.FoldAffine(bn.scale(), Tensor({3}).view()).ok());
  Workspace ws;
  absl::StatusOr<TensorView> y = plain.Forward(x.view(), nullptr, &ws);
  absl::StatusOr<TensorView> want = bn.Forward(*y, nullptr, &ws);
  absl::StatusOr<TensorView> got = folded.Forward(x.view(), nullptr, &ws);
  EXPECT_LE(MaxAbsDiff(*got, *want), 1e-5f);
}

// ------------------------------------------------------------------ malformed layer lists

TensorMap CloneTensors(const TensorMap& tensors) {
  TensorMap out;
  for (const auto& [name, t] : tensors) out.emplace(name, t.Clone());
  return out;
}

struct BadCase {
  BadCase(std::string label_, std::string layers_, std::vector<std::string> want_,
          std::string drop = "", std::string reshape = "")
      : label(std::move(label_)),
        layers(std::move(layers_)),
        want(std::move(want_)),
        drop_tensor(std::move(drop)),
        reshape_tensor(std::move(reshape)) {}
  std::string label;
  std::string layers;             // JSON layer list
  std::vector<std::string> want;  // substrings of the message
  std::string drop_tensor;        // removed from the asr tensors when set
  std::string reshape_tensor;     // replaced by a (3) tensor when set
};

// The asr golden's list, as a prefix to splice cases into.
const char kConv[] =
    R"({"type": "conv1d", "name": "conv", "in_channels": 12, "out_channels": 16,
        "kernel_size": 3, "stride": 2})";
const char kAsrTail[] =
    R"({"type": "batchnorm", "name": "bn", "num_features": 16},
       {"type": "relu", "name": "relu"},
       {"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 20, "num_layers": 2},
       {"type": "layernorm", "name": "norm", "num_features": 20},
       {"type": "max_pool", "name": "pool", "kernel_size": 2},
       {"type": "linear", "name": "head", "in_features": 20, "out_features": 11},
       {"type": "log_softmax", "name": "logp"})";

std::string Asr() { return std::string("[") + kConv + ", " + kAsrTail + "]"; }

std::vector<BadCase> BadCases() {
  const std::string conv_head =
      R"({"type": "conv1d", "name": "conv", "in_channels": 12, "out_channels": 16, )";
  return {
      {"absent", "[]", {"\"layers\" must be a non-empty array"}},
      {"not_json", "[{", {"\"layers\" must be a non-empty array"}},
      {"not_object", "[1]", {"layers[0]: must be an object"}},
      {"unknown_type",
       R"([{"type": "conv3d", "name": "c"}])",
       {"layers[0]", "\"type\" must be one of", "conv1d", "\"conv3d\""}},
      {"missing_type", R"([{"name": "c"}])", {"layers[0]", "\"type\"", "got none"}},
      {"missing_name", R"([{"type": "relu"}])", {"layers[0]", "\"name\""}},
      {"dotted_name", R"([{"type": "relu", "name": "a.b"}])", {"layers[0]", "without '.'"}},
      {"duplicate_name",
       "[" + std::string(kConv) + R"(, {"type": "relu", "name": "conv"}])",
       {"layers[1]", "unique"}},
      {"unknown_field",
       "[" + conv_head + R"("kernel_size": 3, "kernel": 3}])",
       {"layers[0] (\"conv\", conv1d)", "unknown field \"kernel\"", "allowed:", "dilation"}},
      {"field_on_activation",
       "[" + std::string(kConv) + R"(, {"type": "relu", "name": "r", "negative_slope": 0.1}])",
       {"layers[1] (\"r\", relu)", "unknown field \"negative_slope\"", "allowed: type, name"}},
      {"missing_size",
       R"([{"type": "conv1d", "name": "conv", "out_channels": 16, "kernel_size": 3}])",
       {"layers[0] (\"conv\", conv1d)", "\"in_channels\" is required", "integer in [1, 65536]"}},
      {"missing_kernel", "[" + conv_head + "\"stride\": 2}]", {"\"kernel_size\" is required"}},
      {"string_size",
       "[" + conv_head + R"("kernel_size": "3"}])",
       {"\"kernel_size\" must be an integer in [1, 4096], got \"3\""}},
      {"float_size", "[" + conv_head + R"("kernel_size": 3.5}])", {"got 3.5"}},
      {"zero_stride",
       "[" + conv_head + R"("kernel_size": 3, "stride": 0}])",
       {"\"stride\"", "got 0"}},
      {"huge_kernel",
       "[" + conv_head + R"("kernel_size": 5000}])",
       {"\"kernel_size\"", "got 5000"}},
      {"bias_not_bool",
       "[" + conv_head + R"("kernel_size": 3, "bias": "yes"}])",
       {"\"bias\" must be true or false, got \"yes\""}},
      {"groups",
       "[" + conv_head + R"("kernel_size": 3, "groups": 5}])",
       {"\"groups\" must divide in_channels (12) and out_channels (16), got 5"}},
      {"causal_stride_beyond_kernel",
       "[" + conv_head + R"("kernel_size": 1, "stride": 2}])",
       {"\"stride\" must be at most the receptive field", "= 1 when \"causal\" is true, got 2"}},
      {"causal_padding",
       "[" + conv_head + R"("kernel_size": 3, "padding": 1}])",
       {"\"padding\" must be 0 when \"causal\" is true"}},
      {"channel_mismatch",
       "[" + std::string(kConv) +
           R"(, {"type": "relu", "name": "r"},
                {"type": "lstm", "name": "lstm", "input_size": 15, "hidden_size": 20}])",
       {"layers[2] (\"lstm\", lstm): field \"input_size\" is 15 but layers[1] (\"r\", relu) "
        "outputs 16 channels"}},
      {"batchnorm_size",
       "[" + std::string(kConv) + R"(, {"type": "batchnorm", "name": "bn", "num_features": 8}])",
       {"layers[1] (\"bn\", batchnorm): field \"num_features\" is 8"}},
      {"batchnorm_first",
       R"([{"type": "batchnorm", "name": "bn", "num_features": 12}])",
       {"layers[0] (\"bn\", batchnorm)", "must directly follow a conv1d or linear"}},
      {"batchnorm_after_relu",
       "[" + std::string(kConv) +
           R"(, {"type": "relu", "name": "r"}, {"type": "batchnorm", "name": "bn",
               "num_features": 16}])",
       {"layers[2]", "must directly follow a conv1d or linear"}},
      {"bad_eps",
       "[" + std::string(kConv) +
           R"(, {"type": "batchnorm", "name": "bn", "num_features": 16, "eps": 0}])",
       {"\"eps\" must be a number in (0, 1], got 0"}},
      {"num_layers_zero",
       R"([{"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 20,
            "num_layers": 0}])",
       {"\"num_layers\" must be an integer in [1, 64], got 0"}},
      {"pool_missing_kernel",
       R"([{"type": "max_pool", "name": "p"}])",
       {"\"kernel_size\" is required"}},
      {"no_channels", R"([{"type": "relu", "name": "r"}])", {"no layer sets a channel count"}},
      {"missing_tensor",
       Asr(),
       {"layers[3] (\"lstm\", lstm)", "missing tensor \"lstm.weight_hh_l1\"", "(80, 20)"},
       "lstm.weight_hh_l1"},
      {"misshapen_tensor",
       Asr(),
       {"layers[6] (\"head\", linear)", "tensor \"head.weight\" must have shape (11, 20), got (3)"},
       "",
       "head.weight"},
      {"missing_batchnorm_stat", Asr(), {"missing tensor \"bn.running_var\""}, "bn.running_var"},
      {"lstm_too_deep",
       "[" + std::string(kConv) +
           R"(, {"type": "lstm", "name": "lstm", "input_size": 16, "hidden_size": 20,
               "num_layers": 3}])",
       {"missing tensor \"lstm.weight_ih_l2\" of shape (80, 20)"}},
  };
}

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.label; }

class NetworkBadLayersTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(NetworkBadLayersTest, GivesAClearError) {
  static const absl::StatusOr<ModelFile> asr =
      LoadModelFile(testing::NnGolden("network_asr.safetensors"));
  ASSERT_TRUE(asr.ok()) << asr.status();
  const BadCase& c = GetParam();
  ModelFile file;
  file.name = "bad.safetensors";
  file.metadata = asr->metadata;
  file.metadata.layers_json = c.layers;
  file.tensors = CloneTensors(asr->tensors);
  if (!c.drop_tensor.empty()) {
    ASSERT_EQ(file.tensors.erase(c.drop_tensor), 1u);
  }
  if (!c.reshape_tensor.empty()) file.tensors.at(c.reshape_tensor) = Tensor({3});
  absl::StatusOr<std::unique_ptr<Network>> net = Network::FromModelFile(std::move(file));
  ASSERT_FALSE(net.ok()) << c.label;
  EXPECT_EQ(net.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(net.status().message(), HasSubstr("model file bad.safetensors: "));
  for (const std::string& want : c.want) {
    EXPECT_THAT(net.status().message(), HasSubstr(want)) << c.label;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, NetworkBadLayersTest, ::testing::ValuesIn(BadCases()),
                         [](const auto& info) { return info.param.label; });

TEST(NetworkTest, GoodListsBuild) {
  absl::StatusOr<ModelFile> asr = LoadModelFile(testing::NnGolden("network_asr.safetensors"));
  ASSERT_TRUE(asr.ok()) << asr.status();
  ModelFile file;
  file.name = "ok";
  file.metadata = asr->metadata;
  file.metadata.layers_json = Asr();
  file.tensors = CloneTensors(asr->tensors);
  file.tensors.emplace("extra.thing", Tensor({2}));
  absl::StatusOr<std::unique_ptr<Network>> net = Network::FromModelFile(std::move(file));
  ASSERT_TRUE(net.ok()) << net.status();
  EXPECT_EQ((*net)->extra_tensors().size(), 3u);
  EXPECT_EQ((*net)->extra_tensors().count("extra.thing"), 1u);

  EXPECT_EQ(Network::Load(testing::NnGolden("no_such_model.safetensors")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace auris::nn
