// Test-only helpers shared by the network tests (tests/nn/network*_test.cc): load a golden
// network, run one forward step, and run a whole (N, T, C) input in fixed-size chunks.
#ifndef AURIS_TESTS_NN_NETWORK_TEST_UTIL_H_
#define AURIS_TESTS_NN_NETWORK_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nn/network.h"
#include "tests/nn/layer_test_util.h"

namespace auris::nn::testing {

// tests/nn/golden/network_<name>.safetensors; null (and a test failure) when it fails.
inline std::unique_ptr<Network> LoadNet(const std::string& name, KernelImpl impl) {
  absl::StatusOr<std::unique_ptr<Network>> net =
      Network::Load(NnGolden("network_" + name + ".safetensors"), {.impl = impl});
  EXPECT_TRUE(net.ok()) << net.status();
  return net.ok() ? *std::move(net) : nullptr;
}

// One forward call on (N, T, C) `x`; an empty (N, 0, C_out) tensor on error.
inline Tensor Step(const Network& net, const Tensor& x, NetworkState* state, Workspace* ws) {
  ws->Reset();
  absl::StatusOr<TensorView> y = net.Forward(x.view(), state, ws);
  EXPECT_TRUE(y.ok()) << y.status();
  return y.ok() ? Tensor::FromView(*y) : Tensor(Shape{x.shape()[0], 0, net.output_channels()});
}

// Feeds `x` in chunks of `chunk` frames through fresh state; outputs concatenated over time.
inline Tensor RunChunked(const Network& net, const Tensor& x, int64_t chunk) {
  Workspace ws;
  auto state = net.InitState(x.shape()[0]);
  std::vector<Tensor> outs;
  for (int64_t t = 0; t < x.shape()[1]; t += chunk) {
    outs.push_back(Step(net, Slice(x, t, std::min(t + chunk, x.shape()[1])), state.get(), &ws));
  }
  return ConcatTime(outs);
}

}  // namespace auris::nn::testing

#endif  // AURIS_TESTS_NN_NETWORK_TEST_UTIL_H_
