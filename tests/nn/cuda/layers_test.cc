// Host-side checks of the CUDA layers that need no GPU: weight shape validation, unknown
// activations, and BatchNorm folding before upload.
#include <gtest/gtest.h>

#include "nn/cuda/cuda_layers.h"

namespace auris::nn::cuda {
namespace {

TEST(CudaLayersTest, UnknownActivationIsUnimplemented) {
  absl::StatusOr<std::unique_ptr<CudaActivation>> act = CudaActivation::Create("swish", 0.0f);
  ASSERT_FALSE(act.ok());
  EXPECT_EQ(act.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(act.status().message().find("swish"), std::string::npos) << act.status();
}

TEST(CudaLayersTest, KnownActivationsAreAccepted) {
  for (const char* type :
       {"relu", "leaky_relu", "tanh", "sigmoid", "gelu", "softmax", "log_softmax"}) {
    absl::StatusOr<std::unique_ptr<CudaActivation>> act = CudaActivation::Create(type, 0.1f);
    ASSERT_TRUE(act.ok()) << type << ": " << act.status();
    EXPECT_EQ((*act)->type(), type);
  }
}

TEST(CudaLayersTest, Conv1dRejectsMisshapenWeight) {
  CudaConv1d::Options o{.in_channels = 4, .out_channels = 6, .kernel_size = 3, .groups = 2};
  Tensor weight({6, 4, 3});  // in / groups = 2 expected
  absl::StatusOr<std::unique_ptr<CudaConv1d>> conv = CudaConv1d::Create(o, weight, nullptr);
  ASSERT_FALSE(conv.ok());
  EXPECT_EQ(conv.status().code(), absl::StatusCode::kInvalidArgument) << conv.status();
}

TEST(CudaLayersTest, FoldAffineChecksShapes) {
  Tensor weight({3, 2});
  absl::StatusOr<std::unique_ptr<CudaLinear>> linear = CudaLinear::Create(weight, nullptr);
  ASSERT_TRUE(linear.ok()) << linear.status();
  Tensor scale({3});
  Tensor shift({2});
  EXPECT_EQ((*linear)->FoldAffine(scale.view(), shift.view()).code(),
            absl::StatusCode::kInvalidArgument);
  Tensor shift3({3});
  EXPECT_TRUE((*linear)->FoldAffine(scale.view(), shift3.view()).ok());
}

TEST(CudaLayersTest, LstmRejectsMisshapenRecurrentWeight) {
  Tensor w_ih({8, 3});
  Tensor w_hh({8, 3});  // (4H, H) = (8, 2) expected
  Tensor b({8});
  absl::StatusOr<std::unique_ptr<CudaLstm>> lstm = CudaLstm::Create(w_ih, w_hh, b, b);
  ASSERT_FALSE(lstm.ok());
  EXPECT_EQ(lstm.status().code(), absl::StatusCode::kInvalidArgument) << lstm.status();
}

}  // namespace
}  // namespace auris::nn::cuda
