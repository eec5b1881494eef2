// CPU vs CUDA: every shipped model file and the golden networks the CUDA backend supports
// give the same outputs (max |cuda - cpu| <= 1e-3 * max |cpu|), streamed in chunks of 1, 7
// and the whole sequence, for a batch of 2 streams. Skips when no CUDA device is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nn/cuda/cuda_network.h"
#include "nn/cuda/device.h"
#include "nn/network.h"
#include "tests/nn/layer_test_util.h"
#include "tests/nn/network_test_util.h"

namespace auris::nn::cuda {
namespace {

constexpr float kTolerance = 1e-3f;

std::string Source(const std::string& relative) {
  return std::string(AURIS_SOURCE_DIR) + "/" + relative;
}

void SkipWithoutDevice() {
  const DeviceQuery query = QueryDevices();
  if (query.device_count == 0) {
    GTEST_SKIP() << "no CUDA device (" << query.error << "): CPU-vs-CUDA comparison skipped";
  }
}

// Feeds x in chunks of `chunk` frames through a fresh CUDA state; outputs joined over time.
Tensor RunCudaChunked(const CudaNetwork& net, const Tensor& x, int64_t chunk) {
  absl::StatusOr<std::unique_ptr<CudaNetworkState>> state = net.InitState(x.shape()[0]);
  EXPECT_TRUE(state.ok()) << state.status();
  if (!state.ok()) return Tensor(Shape{x.shape()[0], 0, net.output_channels()});
  std::vector<Tensor> outs;
  for (int64_t t = 0; t < x.shape()[1]; t += chunk) {
    const Tensor part = testing::Slice(x, t, std::min(t + chunk, x.shape()[1]));
    absl::StatusOr<Tensor> y = net.Forward(part.view(), state->get());
    EXPECT_TRUE(y.ok()) << y.status();
    if (!y.ok()) return Tensor(Shape{x.shape()[0], 0, net.output_channels()});
    outs.push_back(*std::move(y));
  }
  return testing::ConcatTime(outs);
}

class CudaVersusCpuTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaVersusCpuTest, MatchesCpuStreamingInChunks) {
  SkipWithoutDevice();
  if (::testing::Test::IsSkipped()) return;
  absl::StatusOr<std::unique_ptr<Network>> cpu = Network::Load(GetParam());
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  absl::StatusOr<std::unique_ptr<CudaNetwork>> gpu = CudaNetwork::Load(GetParam());
  ASSERT_TRUE(gpu.ok()) << gpu.status();
  ASSERT_EQ((*gpu)->output_channels(), (*cpu)->output_channels());
  std::mt19937 rng(7);
  const int64_t frames = 40 * (*cpu)->subsampling() + 3;
  const Tensor x = testing::Random({2, frames, (*cpu)->input_channels()}, &rng);
  const Tensor want = testing::RunChunked(**cpu, x, frames);
  const float scale = std::max(testing::MaxAbs(want.view()), 1e-6f);
  for (int64_t chunk : {int64_t{1}, int64_t{7}, frames}) {
    const Tensor got = RunCudaChunked(**gpu, x, chunk);
    ASSERT_EQ(got.shape(), want.shape()) << "chunk " << chunk;
    EXPECT_LE(testing::MaxAbsDiff(got.view(), want.view()), kTolerance * scale)
        << "chunk " << chunk;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, CudaVersusCpuTest,
                         ::testing::Values(Source("models/denoise/denoise.safetensors"),
                                           Source("models/emotion/emotion.safetensors"),
                                           testing::NnGolden("network_asr.safetensors"),
                                           testing::NnGolden("network_misc.safetensors"),
                                           testing::NnGolden("model_tiny.safetensors")));

TEST(CudaUnsupportedTest, LoadNamesTheMissingLayers) {
  SkipWithoutDevice();
  if (::testing::Test::IsSkipped()) return;
  absl::StatusOr<std::unique_ptr<CudaNetwork>> net =
      CudaNetwork::Load(testing::NnGolden("network_cnn_gru.safetensors"));
  ASSERT_FALSE(net.ok());
  EXPECT_EQ(net.status().code(), absl::StatusCode::kUnimplemented) << net.status();
  EXPECT_NE(net.status().message().find("gru"), std::string::npos) << net.status();
}

}  // namespace
}  // namespace auris::nn::cuda
