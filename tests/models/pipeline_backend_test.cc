// The backend choice of the neural pipelines (asr, emotion, denoise, vad) and the registry:
// the default is the CPU runner, whose outputs are exactly the Network's own; asking for cuda
// where it cannot run (a build without the CUDA backend, or no device: every machine here) is
// FAILED_PRECONDITION with nn::CheckBackendAvailable's message, before anything is loaded.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/denoise/neural_denoise_pipeline.h"
#include "models/emotion/emotion_pipeline.h"
#include "models/model_registry.h"
#include "models/vad/neural_vad.h"
#include "nn/backend.h"
#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;

using ::auris::testing::NamedModel;
using ::auris::testing::ShippedModel;

// Skips the calling test where cuda can run (a GPU machine): there the errors do not happen.
#define SKIP_WHERE_CUDA_RUNS()                                                           \
  if (nn::CheckBackendAvailable(nn::BackendKind::kCuda).ok()) {                          \
    GTEST_SKIP() << "a CUDA device is usable here; pipelines_gpu_test covers this case"; \
  }

void ExpectNoCuda(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(status, nn::CheckBackendAvailable(nn::BackendKind::kCuda));
  EXPECT_THAT(status.message(), HasSubstr("cuda"));
  EXPECT_THAT(status.message(), HasSubstr("use --backend cpu"));
}

TEST(PipelineBackendTest, CudaWhereItCannotRunIsAClearFailedPrecondition) {
  SKIP_WHERE_CUDA_RUNS();
  constexpr nn::BackendKind kCuda = nn::BackendKind::kCuda;
  ExpectNoCuda(AsrPipeline::Load(NamedModel("asr", kTaskAsr), ShippedModel("asr/asr.safetensors"),
                                 "", "", kCuda)
                   .status());
  ExpectNoCuda(EmotionPipeline::Load(NamedModel("emotion", kTaskEmotion),
                                     ShippedModel("emotion/emotion.safetensors"), kCuda)
                   .status());
  ExpectNoCuda(NeuralDenoisePipeline::Load(NamedModel("denoise", kTaskDenoise),
                                           ShippedModel("denoise/denoise.safetensors"), kCuda)
                   .status());
  ExpectNoCuda(NeuralVad::Load(ShippedModel("vad/vad.safetensors"), kCuda).status());
  ExpectNoCuda(ModelRegistry::Load(ShippedModel("shipped"), kCuda).status());
  // Checked before the file is read: a missing file still reports the backend.
  ExpectNoCuda(NeuralVad::Load("/nonexistent.safetensors", kCuda).status());
}

TEST(PipelineBackendTest, DefaultAndExplicitCpuRunTheNetworkOnTheCpu) {
  auto asr = AsrPipeline::Load(NamedModel("asr", kTaskAsr), ShippedModel("asr/asr.safetensors"),
                               ShippedModel("asr/asr.arpa"), "", nn::BackendKind::kCpu);
  ASSERT_TRUE(asr.ok()) << asr.status();
  EXPECT_EQ((*asr)->runner().backend(), nn::BackendKind::kCpu);
  EXPECT_TRUE((*asr)->runner().can_stack());
  auto vad = NeuralVad::Load(ShippedModel("vad/vad.safetensors"));
  ASSERT_TRUE(vad.ok()) << vad.status();
  EXPECT_EQ((*vad)->runner().backend(), nn::BackendKind::kCpu);
  auto registry = ModelRegistry::Load(ShippedModel("shipped"), nn::BackendKind::kCpu);
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE(registry.value()->skipped().empty());
}

// The emotion stream through the runner gives bit for bit what Network::Forward gives on the
// same frames (the pipeline's path before runners existed).
TEST(PipelineBackendTest, CpuRunnerOutputIsTheNetworkOutputBitForBit) {
  auto p = EmotionPipeline::Load(NamedModel("emotion", kTaskEmotion),
                                 ShippedModel("emotion/emotion.safetensors"));
  ASSERT_TRUE(p.ok()) << p.status();
  const std::vector<float> x = testing::ReadPipelineFloats("pipeline_input.f32");
  const int64_t fs = (*p)->frame_samples();
  const int64_t frames = static_cast<int64_t>(x.size()) / fs;
  ASSERT_GT(frames, 10);
  auto stream = (*p)->CreateStream((*p)->model_rate_hz());
  ASSERT_TRUE(stream.ok()) << stream.status();
  std::vector<EmotionFrame> got;
  ASSERT_TRUE((*stream)->Accept(std::span<const float>(x).first(frames * fs), &got).ok());

  const nn::Network& net = (*p)->network();
  auto state = net.InitState(1);
  nn::Workspace ws;
  absl::StatusOr<nn::TensorView> want =
      net.Forward(nn::ConstTensorView(x.data(), nn::Shape{1, frames, fs}), state.get(), &ws);
  ASSERT_TRUE(want.ok()) << want.status();
  ASSERT_EQ(static_cast<int64_t>(got.size()), want->shape[1]);
  for (size_t t = 0; t < got.size(); ++t) {
    EXPECT_EQ(std::memcmp(&got[t].arousal, want->data + 2 * t, sizeof(float)), 0) << t;
    EXPECT_EQ(std::memcmp(&got[t].valence, want->data + 2 * t + 1, sizeof(float)), 0) << t;
  }
}

}  // namespace
}  // namespace auris::models
