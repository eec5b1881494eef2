// End-to-end with neural models: the real auris-server on the tiny random-weight models of
// tests/models/golden/serving (scripts/make_pipeline_golden.py); Emotion (unary and
// streaming) and Enhancement picking a neural denoiser by name.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <thread>

#include "auris/v1/emotion.grpc.pb.h"
#include "auris/v1/enhancement.grpc.pb.h"
#include "auris/v1/models.grpc.pb.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "tests/server/server_suite.h"
#include "tests/server/test_audio.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

using testing::Linear16;
using testing::Ns;

std::vector<float> Tone(int rate, double seconds, uint32_t seed) {
  return testing::HarmonicTone(rate, seconds, seed,
                               {.f0_hz = 150, .harmonics = 6, .noise_stddev = 0.02f});
}

class NeuralModelsE2eTest : public testing::ServerSuite<NeuralModelsE2eTest> {
 public:
  static std::vector<std::string> ServerFlags() {
    return {"--models_dir",
            std::string(AURIS_SOURCE_DIR) + "/tests/models/golden/serving",
            "--workers",
            "2",
            "--max_unary_audio_seconds",
            "20"};
  }

 protected:
  static v1::EmotionConfig EmotionConfig(int frame_period_ms = 0) {
    v1::EmotionConfig config;
    config.mutable_format()->set_encoding(v1::LINEAR16);
    config.mutable_format()->set_sample_rate_hertz(16000);
    config.set_frame_period_ms(frame_period_ms);
    return config;
  }

  static grpc::Status Analyze(const v1::AnalyzeEmotionRequest& request,
                              v1::AnalyzeEmotionResponse* response) {
    auto stub = v1::Emotion::NewStub(server_->Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->AnalyzeEmotion(&context, request, response);
  }

  // Streams `requests`; gathers every frame, the summaries seen and the message count.
  static grpc::Status StreamEmotion(const std::vector<v1::StreamingAnalyzeEmotionRequest>& requests,
                                    v1::AnalyzeEmotionResponse* gathered, int* summaries,
                                    int* messages) {
    auto stub = v1::Emotion::NewStub(server_->Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    auto call = stub->StreamingAnalyzeEmotion(&context);
    std::thread writer([&] {
      for (const auto& r : requests) {
        if (!call->Write(r)) break;
      }
      call->WritesDone();
    });
    v1::StreamingAnalyzeEmotionResponse response;
    *summaries = 0;
    *messages = 0;
    while (call->Read(&response)) {
      ++*messages;
      for (const auto& f : response.frames()) *gathered->add_frames() = f;
      if (response.has_summary()) {
        ++*summaries;
        *gathered->mutable_summary() = response.summary();
      }
    }
    writer.join();
    return call->Finish();
  }

  static grpc::Status Denoise(const std::string& model, const std::string& audio,
                              v1::DenoiseResponse* response) {
    auto stub = v1::Enhancement::NewStub(server_->Channel());
    v1::DenoiseRequest request;
    request.mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
    request.mutable_config()->mutable_format()->set_sample_rate_hertz(16000);
    request.mutable_config()->set_model(model);
    request.set_audio_content(audio);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->Denoise(&context, request, response);
  }
};

TEST_F(NeuralModelsE2eTest, HealthAndModelList) {
  EXPECT_EQ(server_->Health(""), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Emotion"), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Enhancement"), HealthStatus::SERVING);
  auto stub = v1::Models::NewStub(server_->Channel());
  v1::ListModelsRequest request;
  request.set_task("emotion");
  v1::ListModelsResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->ListModels(&context, request, &response).ok());
  ASSERT_EQ(response.models_size(), 1);
  const v1::ModelInfo& m = response.models(0);
  EXPECT_EQ(m.name(), "tiny-emotion");
  EXPECT_EQ(m.task(), "emotion");
  EXPECT_EQ(m.sample_rate_hertz(), 16000);
  EXPECT_TRUE(m.streaming());
  EXPECT_TRUE(m.is_default());
  EXPECT_GT(m.parameter_count(), 0);
  EXPECT_EQ(m.metrics().at("fixture"), "1");
}

TEST_F(NeuralModelsE2eTest, AnalyzeEmotionGives25HzFramesAndASummary) {
  v1::AnalyzeEmotionRequest request;
  *request.mutable_config() = EmotionConfig();
  request.set_audio_content(Linear16(Tone(16000, 2.0, 1)));
  v1::AnalyzeEmotionResponse response;
  const grpc::Status status = Analyze(request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.frames_size(), 50);
  for (int j = 0; j < response.frames_size(); ++j) {
    const v1::EmotionFrame& f = response.frames(j);
    EXPECT_EQ(Ns(f.start_offset()), j * 40000000LL);
    EXPECT_EQ(Ns(f.end_offset()), (j + 1) * 40000000LL);
    EXPECT_LE(std::abs(f.arousal()), 1.0f);
    EXPECT_LE(std::abs(f.valence()), 1.0f);
  }
  ASSERT_TRUE(response.has_summary());
  EXPECT_LE(std::abs(response.summary().arousal()), 1.0f);
  EXPECT_LE(Ns(response.summary().speech_duration()), 2000000000LL);

  *request.mutable_config() = EmotionConfig(200);
  v1::AnalyzeEmotionResponse pooled;
  ASSERT_TRUE(Analyze(request, &pooled).ok());
  ASSERT_EQ(pooled.frames_size(), 10);
  EXPECT_EQ(Ns(pooled.frames(9).end_offset()), 2000000000LL);
  double mean = 0;
  for (int j = 0; j < 5; ++j) mean += response.frames(j).arousal() / 5.0;
  EXPECT_NEAR(pooled.frames(0).arousal(), mean, 1e-5);
}

TEST_F(NeuralModelsE2eTest, StreamingEmotionEqualsUnary) {
  const std::string audio = Linear16(Tone(16000, 1.5, 2));
  v1::AnalyzeEmotionRequest request;
  *request.mutable_config() = EmotionConfig();
  request.set_audio_content(audio);
  v1::AnalyzeEmotionResponse unary;
  ASSERT_TRUE(Analyze(request, &unary).ok());

  std::vector<v1::StreamingAnalyzeEmotionRequest> requests(1);
  *requests[0].mutable_config() = EmotionConfig();
  for (size_t pos = 0; pos < audio.size(); pos += 3200) {  // 100 ms chunks
    requests.emplace_back().set_audio_content(audio.substr(pos, 3200));
  }
  v1::AnalyzeEmotionResponse streamed;
  int summaries = 0, messages = 0;
  const grpc::Status status = StreamEmotion(requests, &streamed, &summaries, &messages);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(summaries, 1);
  EXPECT_GT(messages, 5);  // frames arrive as the audio does
  ASSERT_EQ(streamed.frames_size(), unary.frames_size());
  for (int j = 0; j < unary.frames_size(); ++j) {
    EXPECT_EQ(Ns(streamed.frames(j).start_offset()), Ns(unary.frames(j).start_offset()));
    EXPECT_NEAR(streamed.frames(j).arousal(), unary.frames(j).arousal(), 1e-5);
    EXPECT_NEAR(streamed.frames(j).valence(), unary.frames(j).valence(), 1e-5);
  }
  EXPECT_NEAR(streamed.summary().arousal(), unary.summary().arousal(), 1e-5);
  EXPECT_EQ(Ns(streamed.summary().speech_duration()), Ns(unary.summary().speech_duration()));
}

TEST_F(NeuralModelsE2eTest, EmotionErrorsAreClear) {
  struct Case {
    const char* name;
    v1::AnalyzeEmotionRequest request;
    grpc::StatusCode code;
    const char* message;
  };
  std::vector<Case> cases;
  {
    Case c{"no config", {}, grpc::StatusCode::INVALID_ARGUMENT, "config is required"};
    cases.push_back(c);
  }
  {
    Case c{"unknown model", {}, grpc::StatusCode::NOT_FOUND, "available: tiny-emotion"};
    *c.request.mutable_config() = EmotionConfig();
    c.request.mutable_config()->set_model("large");
    c.request.set_audio_content(Linear16(Tone(16000, 0.2, 3)));
    cases.push_back(c);
  }
  {
    Case c{"bad period",
           {},
           grpc::StatusCode::INVALID_ARGUMENT,
           "config.frame_period_ms 50 is not allowed"};
    *c.request.mutable_config() = EmotionConfig(50);
    c.request.set_audio_content(Linear16(Tone(16000, 0.2, 3)));
    cases.push_back(c);
  }
  for (const Case& c : cases) {
    v1::AnalyzeEmotionResponse response;
    const grpc::Status s = Analyze(c.request, &response);
    EXPECT_EQ(s.error_code(), c.code) << c.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(c.message)) << c.name;
  }
  std::vector<v1::StreamingAnalyzeEmotionRequest> twice(2);
  *twice[0].mutable_config() = EmotionConfig();
  *twice[1].mutable_config() = EmotionConfig();
  v1::AnalyzeEmotionResponse gathered;
  int summaries = 0, messages = 0;
  grpc::Status s = StreamEmotion(twice, &gathered, &summaries, &messages);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("config was sent twice"));
  std::vector<v1::StreamingAnalyzeEmotionRequest> audio_first(1);
  audio_first[0].set_audio_content("xx");
  s = StreamEmotion(audio_first, &gathered, &summaries, &messages);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("first message must be a config"));
}

TEST_F(NeuralModelsE2eTest, EnhancementSelectsTheNeuralDenoiserByName) {
  const std::vector<float> x = Tone(16000, 1.0, 4);
  const std::string audio = Linear16(x);
  v1::DenoiseResponse identity, tiny, classic, by_default;
  ASSERT_TRUE(Denoise("identity-denoise", audio, &identity).ok());
  ASSERT_TRUE(Denoise("tiny-denoise", audio, &tiny).ok());
  ASSERT_TRUE(Denoise("classic", audio, &classic).ok());
  ASSERT_TRUE(Denoise("", audio, &by_default).ok());
  EXPECT_EQ(by_default.audio_content(), classic.audio_content());  // "classic" stays default
  dsp::AudioFormat format;
  format.encoding = dsp::Encoding::kLinear16;
  format.sample_rate_hz = 16000;
  const std::vector<float> y = dsp::DecodeAudio(identity.audio_content(), format)->samples;
  ASSERT_EQ(y.size(), x.size());
  float worst = 0;
  for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(y[i] - x[i]));
  EXPECT_LE(worst, 2.0f / 32768);  // a mask of 1 gives the input back, up to 16-bit rounding
  EXPECT_NE(tiny.audio_content(), identity.audio_content());
  EXPECT_EQ(tiny.audio_content().size(), audio.size());

  // StreamingDenoise with the neural model gives the unary result sample for sample.
  auto stub = v1::Enhancement::NewStub(server_->Channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto call = stub->StreamingDenoise(&context);
  v1::StreamingDenoiseRequest first;
  first.mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
  first.mutable_config()->mutable_format()->set_sample_rate_hertz(16000);
  first.mutable_config()->set_model("tiny-denoise");
  std::thread writer([&] {
    call->Write(first);
    for (size_t pos = 0; pos < audio.size(); pos += 320) {
      v1::StreamingDenoiseRequest chunk;
      chunk.set_audio_content(audio.substr(pos, 320));
      if (!call->Write(chunk)) break;
    }
    call->WritesDone();
  });
  std::string streamed;
  v1::StreamingDenoiseResponse response;
  while (call->Read(&response)) streamed += response.audio_content();
  writer.join();
  ASSERT_TRUE(call->Finish().ok());
  // Chunked and whole network calls agree to ~1e-7, so 16-bit samples differ by 1 at most.
  const std::vector<float> a = dsp::DecodeAudio(streamed, format)->samples;
  const std::vector<float> b = dsp::DecodeAudio(tiny.audio_content(), format)->samples;
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) ASSERT_LE(std::abs(a[i] - b[i]), 1.5f / 32768) << i;

  v1::DenoiseResponse none;
  const grpc::Status s = Denoise("rnnoise", audio, &none);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("tiny-denoise"));
}

}  // namespace
}  // namespace auris
