#include "nn/backend.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

TEST(BackendTest, ParsesKnownNamesAndRejectsOthers) {
  EXPECT_EQ(*ParseBackend("cpu"), BackendKind::kCpu);
  EXPECT_EQ(*ParseBackend("cuda"), BackendKind::kCuda);
  const absl::StatusOr<BackendKind> bad = ParseBackend("tpu");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("allowed: cpu, cuda"));
  EXPECT_EQ(BackendName(BackendKind::kCuda), "cuda");
}

TEST(BackendTest, CpuIsAlwaysAvailable) {
  EXPECT_TRUE(CheckBackendAvailable(BackendKind::kCpu).ok());
}

TEST(BackendTest, CudaWithoutBuildOrDeviceSaysWhy) {
  const absl::Status status = CheckBackendAvailable(BackendKind::kCuda);
  if (status.ok()) GTEST_SKIP() << "a CUDA device is present; see the gpu-labelled tests";
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  const std::string message(status.message());
  if (CudaBackendBuilt()) {
    EXPECT_THAT(message, HasSubstr("no CUDA device"));
  } else {
    EXPECT_THAT(message, HasSubstr("built without the cuda backend"));
  }
  EXPECT_THAT(message, HasSubstr("--backend cpu"));
}

}  // namespace
}  // namespace auris::nn
