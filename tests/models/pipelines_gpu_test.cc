// CPU vs CUDA through the shipped pipelines (the runner chosen with --backend): ASR
// transcripts and log-probabilities (solo and through AsrBatcher), emotion frames, denoised
// audio and VAD probabilities on espeak-ng speech, fed in 10 ms chunks, agree within
// max |cuda - cpu| <= 1e-3 * max |cpu|. Skips where cuda cannot run (no CUDA backend in the
// build, or no device), which is every machine this project has been built on so far.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_batcher.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "models/denoise/neural_denoise_pipeline.h"
#include "models/emotion/emotion_pipeline.h"
#include "models/vad/neural_vad.h"
#include "nn/backend.h"
#include "tests/dsp/test_audio.h"
#include "tests/models/pipeline_test_util.h"

namespace auris::models {
namespace {

constexpr float kRelativeTolerance = 1e-3f;
constexpr size_t kChunk = 160;  // 10 ms at 16 kHz
constexpr nn::BackendKind kCpu = nn::BackendKind::kCpu;
constexpr nn::BackendKind kCuda = nn::BackendKind::kCuda;

using ::auris::testing::NamedModel;
using ::auris::testing::ShippedModel;

#define SKIP_WITHOUT_CUDA()                                                             \
  if (absl::Status s = nn::CheckBackendAvailable(kCuda); !s.ok()) {                     \
    GTEST_SKIP() << "cuda cannot run here (" << s.message() << "): comparison skipped"; \
  }

std::vector<float> Speech(const std::string& text) {
  std::vector<float> x = dsp::testing_audio::Speak(text, "en-us", 150);
  EXPECT_FALSE(x.empty()) << "espeak-ng is needed for this test";
  return x;
}

// max |got - want| <= kRelativeTolerance * max |want| (and equal sizes).
void ExpectClose(std::span<const float> got, std::span<const float> want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  ASSERT_FALSE(want.empty()) << what;
  float scale = 0.0f, worst = 0.0f;
  for (size_t i = 0; i < want.size(); ++i) {
    scale = std::max(scale, std::abs(want[i]));
    worst = std::max(worst, std::abs(got[i] - want[i]));
  }
  EXPECT_LE(worst, kRelativeTolerance * std::max(scale, 1e-6f)) << what;
}

// Calls accept(chunk) for consecutive 10 ms chunks of `x` (the last may be shorter).
template <typename Accept>
void InChunks(const std::vector<float>& x, Accept accept) {
  for (size_t pos = 0; pos < x.size(); pos += kChunk) {
    accept(std::span<const float>(x).subspan(pos, std::min(kChunk, x.size() - pos)));
  }
}

void AppendFinals(const std::vector<AsrEvent>& events, std::vector<std::string>* finals) {
  for (const AsrEvent& e : events) {
    if (e.type == AsrEvent::Type::kFinal && !e.result.alternatives.empty()) {
      finals->push_back(e.result.alternatives[0].transcript);
    }
  }
}

struct AsrRun {
  std::vector<std::string> finals;
  std::vector<float> log_probs;
};

AsrRun RunAsr(const AsrPipeline& p, const std::vector<float>& x) {
  AsrRun run;
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(AsrStreamOptions{});
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return run;
  (*s)->set_capture(true);
  std::vector<AsrEvent> events;
  InChunks(x,
           [&](std::span<const float> chunk) { EXPECT_TRUE((*s)->Accept(chunk, &events).ok()); });
  EXPECT_TRUE((*s)->Flush(&events).ok());
  AppendFinals(events, &run.finals);
  run.log_probs = (*s)->captured_log_probs();
  return run;
}

std::unique_ptr<AsrPipeline> LoadAsr(nn::BackendKind backend) {
  auto p = AsrPipeline::Load(NamedModel("asr", kTaskAsr), ShippedModel("asr/asr.safetensors"),
                             ShippedModel("asr/asr.arpa"), "", backend);
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

TEST(PipelinesGpuTest, AsrTranscriptsAndLogProbsMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  auto cpu = LoadAsr(kCpu);
  auto gpu = LoadAsr(kCuda);
  ASSERT_TRUE(cpu && gpu);
  EXPECT_EQ(gpu->runner().backend(), kCuda);
  const std::vector<float> x = Speech("the quick brown fox jumps over the lazy dog");
  const AsrRun want = RunAsr(*cpu, x);
  const AsrRun got = RunAsr(*gpu, x);
  EXPECT_EQ(got.finals, want.finals);
  ExpectClose(got.log_probs, want.log_probs, "asr log-probs");
}

TEST(PipelinesGpuTest, AsrBatcherStepsEachStreamOnTheDeviceWithCpuResults) {
  SKIP_WITHOUT_CUDA();
  auto cpu = LoadAsr(kCpu);
  auto gpu = LoadAsr(kCuda);
  ASSERT_TRUE(cpu && gpu);
  const std::vector<std::vector<float>> audio = {
      Speech("seven three nine"), Speech("open the window please"), Speech("good morning")};
  std::vector<std::unique_ptr<AsrStream>> owners;
  std::vector<AsrStream*> streams;
  for (size_t i = 0; i < audio.size(); ++i) {
    auto s = gpu->CreateStream(AsrStreamOptions{});
    ASSERT_TRUE(s.ok()) << s.status();
    streams.push_back(s->get());
    owners.push_back(*std::move(s));
  }
  AsrBatcher batcher(gpu.get());
  std::vector<std::vector<AsrEvent>> events;
  std::vector<std::vector<std::string>> finals(audio.size());
  size_t longest = 0;
  for (const auto& a : audio) longest = std::max(longest, a.size());
  for (size_t pos = 0; pos < longest; pos += kChunk) {
    std::vector<std::span<const float>> chunks;
    for (const auto& a : audio) {
      const size_t begin = std::min(pos, a.size());
      chunks.push_back(
          std::span<const float>(a).subspan(begin, std::min(kChunk, a.size() - begin)));
    }
    ASSERT_TRUE(batcher.AcceptBatch(streams, chunks, &events).ok());
    EXPECT_LE(batcher.last_largest_step(), 1);
    for (size_t i = 0; i < audio.size(); ++i) AppendFinals(events[i], &finals[i]);
  }
  for (size_t i = 0; i < audio.size(); ++i) {
    std::vector<AsrEvent> tail;
    ASSERT_TRUE(streams[i]->Flush(&tail).ok());
    AppendFinals(tail, &finals[i]);
    EXPECT_EQ(finals[i], RunAsr(*cpu, audio[i]).finals) << "stream " << i;
  }
}

std::vector<float> RunEmotion(nn::BackendKind backend, const std::vector<float>& x) {
  auto p = EmotionPipeline::Load(NamedModel("emotion", kTaskEmotion),
                                 ShippedModel("emotion/emotion.safetensors"), backend);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return {};
  auto s = (*p)->CreateStream(16000);
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<EmotionFrame> frames;
  InChunks(x,
           [&](std::span<const float> chunk) { EXPECT_TRUE((*s)->Accept(chunk, &frames).ok()); });
  EXPECT_TRUE((*s)->Flush(&frames).ok());
  std::vector<float> out;
  for (const EmotionFrame& f : frames) {
    out.push_back(f.arousal);
    out.push_back(f.valence);
  }
  return out;
}

TEST(PipelinesGpuTest, EmotionFramesMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  const std::vector<float> x = Speech("I can not believe you did that, this is wonderful news");
  ExpectClose(RunEmotion(kCuda, x), RunEmotion(kCpu, x), "emotion frames");
}

std::vector<float> RunDenoise(nn::BackendKind backend, const std::vector<float>& x) {
  auto p = NeuralDenoisePipeline::Load(NamedModel("denoise", kTaskDenoise),
                                       ShippedModel("denoise/denoise.safetensors"), backend);
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return {};
  auto s = (*p)->CreateStream(16000, 16000);
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<float> out;
  InChunks(x, [&](std::span<const float> chunk) { EXPECT_TRUE((*s)->Accept(chunk, &out).ok()); });
  EXPECT_TRUE((*s)->Flush(&out).ok());
  return out;
}

TEST(PipelinesGpuTest, DenoisedAudioMatchesTheCpu) {
  SKIP_WITHOUT_CUDA();
  std::vector<float> x = Speech("please call me back after the meeting");
  const std::vector<float> noise = dsp::testing_audio::White(x.size(), 11);
  for (size_t i = 0; i < x.size(); ++i) x[i] += 0.05f * noise[i];
  ExpectClose(RunDenoise(kCuda, x), RunDenoise(kCpu, x), "denoised audio");
}

std::vector<float> RunVad(nn::BackendKind backend, const std::vector<float>& x) {
  auto vad = NeuralVad::Load(ShippedModel("vad/vad.safetensors"), backend);
  EXPECT_TRUE(vad.ok()) << vad.status();
  if (!vad.ok()) return {};
  auto s = (*vad)->CreateStream(16000);
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<NeuralVadFrame> frames;
  InChunks(x, [&](std::span<const float> chunk) {
    EXPECT_TRUE((*s)->Accept(chunk, &frames, nullptr).ok());
  });
  EXPECT_TRUE((*s)->Flush(&frames, nullptr).ok());
  std::vector<float> p;
  for (const NeuralVadFrame& f : frames) p.push_back(f.probability);
  return p;
}

TEST(PipelinesGpuTest, VadProbabilitiesMatchTheCpu) {
  SKIP_WITHOUT_CUDA();
  std::vector<float> x(8000, 0.0f);  // 0.5 s of silence, then speech
  const std::vector<float> speech = Speech("turn on the lights in the kitchen");
  x.insert(x.end(), speech.begin(), speech.end());
  ExpectClose(RunVad(kCuda, x), RunVad(kCpu, x), "vad probabilities");
}

}  // namespace
}  // namespace auris::models
