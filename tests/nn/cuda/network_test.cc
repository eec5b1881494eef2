// CUDA backend checks that need no GPU: with no device, creating a CudaNetwork fails with
// FAILED_PRECONDITION saying so; CheckSupported names every layer the backend lacks.
#include <gtest/gtest.h>

#include <string>

#include "nn/backend.h"
#include "nn/cuda/cuda_network.h"
#include "nn/cuda/device.h"
#include "nn/model_file.h"
#include "tests/nn/aurt_golden.h"

namespace auris::nn::cuda {
namespace {

std::string Source(const std::string& relative) {
  return std::string(AURIS_SOURCE_DIR) + "/" + relative;
}

bool HaveDevice() { return QueryDevices().device_count > 0; }

TEST(CudaNetworkNoDeviceTest, LoadFailsWithFailedPrecondition) {
  if (HaveDevice()) GTEST_SKIP() << "a CUDA device is present; this test covers its absence";
  for (const char* model :
       {"models/denoise/denoise.safetensors", "models/emotion/emotion.safetensors"}) {
    absl::StatusOr<std::unique_ptr<CudaNetwork>> net = CudaNetwork::Load(Source(model));
    ASSERT_FALSE(net.ok()) << model;
    EXPECT_EQ(net.status().code(), absl::StatusCode::kFailedPrecondition) << net.status();
    EXPECT_NE(net.status().message().find("no CUDA device"), std::string::npos) << net.status();
  }
}

TEST(CudaNetworkNoDeviceTest, FromModelFileFailsLikeCheckBackendAvailable) {
  if (HaveDevice()) GTEST_SKIP() << "a CUDA device is present; this test covers its absence";
  absl::StatusOr<ModelFile> file = LoadModelFile(Source("models/denoise/denoise.safetensors"));
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<std::unique_ptr<CudaNetwork>> net = CudaNetwork::FromModelFile(*file);
  ASSERT_FALSE(net.ok());
  EXPECT_EQ(net.status(), CheckBackendAvailable(BackendKind::kCuda));
  EXPECT_TRUE(CudaBackendBuilt());
}

TEST(CudaNetworkSupportTest, ShippedModelsAndGoldenNetworksAreSupported) {
  for (const std::string& path :
       {Source("models/denoise/denoise.safetensors"), Source("models/emotion/emotion.safetensors"),
        testing::NnGolden("network_asr.safetensors"), testing::NnGolden("network_misc.safetensors"),
        testing::NnGolden("model_tiny.safetensors")}) {
    absl::StatusOr<ModelFile> file = LoadModelFile(path);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_TRUE(CudaNetwork::CheckSupported(*file).ok()) << CudaNetwork::CheckSupported(*file);
  }
}

TEST(CudaNetworkSupportTest, UnimplementedLayersAreNamed) {
  absl::StatusOr<ModelFile> file = LoadModelFile(testing::NnGolden("network_conv2d.safetensors"));
  ASSERT_TRUE(file.ok()) << file.status();
  const absl::Status s = CudaNetwork::CheckSupported(*file);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnimplemented) << s;
  for (const char* type : {"conv2d)", "gru)", "attention_pool)"}) {
    EXPECT_NE(s.message().find(type), std::string::npos) << type << " in " << s;
  }
  EXPECT_EQ(s.message().find("linear)"), std::string::npos) << s;
}

}  // namespace
}  // namespace auris::nn::cuda
