// End-to-end: the real auris-server binary on 127.0.0.1, real gRPC, real audio.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "auris/v1/emotion.grpc.pb.h"
#include "auris/v1/enhancement.grpc.pb.h"
#include "auris/v1/models.grpc.pb.h"
#include "auris/v1/speech.grpc.pb.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "tests/server/server_suite.h"
#include "tests/server/test_audio.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

using testing::HarmonicTone;
using testing::Linear16;

class ServerE2eTest : public testing::ServerSuite<ServerE2eTest> {
 public:
  // Only the classic denoiser, whatever models/shipped holds, so the "no model" paths of
  // Speech and Emotion are exercised.
  static std::vector<std::string> ServerFlags() {
    return {"--models_dir",
            std::string(AURIS_SOURCE_DIR) + "/tests/server/classic_only",
            "--workers",
            "2",
            "--max_message_bytes",
            "2000000",
            "--max_unary_audio_seconds",
            "20",
            "--max_concurrent_streams",
            "3",
            "--stream_idle_timeout_seconds",
            "1.5",
            "--drain_grace_seconds",
            "5"};
  }

 protected:
  std::unique_ptr<v1::Enhancement::Stub> Enhancement() {
    return v1::Enhancement::NewStub(server_->Channel());
  }

  static grpc::Status Denoise(v1::Enhancement::Stub* stub, const v1::DenoiseRequest& request,
                              v1::DenoiseResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->Denoise(&context, request, response);
  }

  // Streams `requests`, collecting audio; returns the final status.
  static grpc::Status Stream(v1::Enhancement::Stub* stub,
                             const std::vector<v1::StreamingDenoiseRequest>& requests,
                             std::string* audio, std::vector<int64_t>* offsets_ns = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    auto call = stub->StreamingDenoise(&context);
    std::thread writer([&] {
      for (const auto& r : requests) {
        if (!call->Write(r)) break;
      }
      call->WritesDone();
    });
    v1::StreamingDenoiseResponse response;
    while (call->Read(&response)) {
      if (audio) *audio += response.audio_content();
      if (offsets_ns) {
        offsets_ns->push_back(response.offset().seconds() * 1000000000LL +
                              response.offset().nanos());
      }
    }
    writer.join();
    return call->Finish();
  }

  static std::vector<v1::StreamingDenoiseRequest> Chunked(const v1::DenoiseConfig& config,
                                                          const std::string& bytes, size_t chunk) {
    std::vector<v1::StreamingDenoiseRequest> out(1);
    *out[0].mutable_config() = config;
    for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
      out.emplace_back().set_audio_content(bytes.substr(pos, chunk));
    }
    return out;
  }

  static v1::DenoiseConfig RawConfig(v1::AudioEncoding encoding, int rate) {
    v1::DenoiseConfig config;
    config.mutable_format()->set_encoding(encoding);
    config.mutable_format()->set_sample_rate_hertz(rate);
    return config;
  }

  // A good call still works: used after every bad input.
  void ExpectStillServing() {
    auto stub = Enhancement();
    v1::DenoiseRequest request;
    *request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
    request.set_audio_content(Linear16(HarmonicTone(16000, 0.5, 9)));
    v1::DenoiseResponse response;
    const grpc::Status status = Denoise(stub.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.audio_content().size(), request.audio_content().size());
  }
};

TEST_F(ServerE2eTest, HealthReportsEachService) {
  EXPECT_EQ(server_->Health(""), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Enhancement"), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Models"), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Speech"), HealthStatus::NOT_SERVING);
  EXPECT_EQ(server_->Health("auris.v1.Emotion"), HealthStatus::NOT_SERVING);
}

// Server reflection, spoken in raw bytes so no generated reflection code is involved: a
// ServerReflectionRequest with list_services = "*" (field 7) must list every auris service.
TEST_F(ServerE2eTest, ReflectionListsTheServices) {
  grpc::GenericStub stub(server_->Channel());
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  const std::string request("\x3a\x01*", 3);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer in;
  call->Read(&in, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(in.Dump(&slices).ok());
  std::string response;
  for (const grpc::Slice& s : slices) {
    response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  for (const char* service : {"auris.v1.Speech", "auris.v1.Emotion", "auris.v1.Enhancement",
                              "auris.v1.Models", "grpc.health.v1.Health"}) {
    EXPECT_THAT(response, HasSubstr(service));
  }
  call->WritesDone(reinterpret_cast<void*>(4));
  cq.Next(&tag, &ok);
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  while (cq.Next(&tag, &ok) && tag != reinterpret_cast<void*>(5)) {
  }
  EXPECT_TRUE(status.ok()) << status.error_message();
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

TEST_F(ServerE2eTest, RequestIdIsEchoedOrCreated) {
  auto stub = v1::Models::NewStub(server_->Channel());
  v1::ListModelsRequest request;
  v1::ListModelsResponse response;
  grpc::ClientContext mine;
  mine.AddMetadata("x-request-id", "client-chosen-42");
  ASSERT_TRUE(stub->ListModels(&mine, request, &response).ok());
  const auto echoed = mine.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(echoed, mine.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), "client-chosen-42");
  grpc::ClientContext theirs;
  ASSERT_TRUE(stub->ListModels(&theirs, request, &response).ok());
  const auto created = theirs.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(created, theirs.GetServerInitialMetadata().end());
  EXPECT_EQ(created->second.size(), 17u);  // "r" + 16 hex digits
  EXPECT_THAT(server_->Log(), HasSubstr("client-chosen-42"));
}

TEST_F(ServerE2eTest, ListModelsShowsClassicAndRejectsUnknownTask) {
  auto stub = v1::Models::NewStub(server_->Channel());
  v1::ListModelsRequest request;
  v1::ListModelsResponse response;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->ListModels(&context, request, &response).ok());
  }
  ASSERT_GE(response.models_size(), 1);
  int classic = -1;
  for (int i = 0; i < response.models_size(); ++i) {
    if (response.models(i).name() == "classic") classic = i;
  }
  ASSERT_GE(classic, 0);
  EXPECT_EQ(response.models(classic).task(), "denoise");
  EXPECT_TRUE(response.models(classic).is_default());
  EXPECT_TRUE(response.models(classic).streaming());
  request.set_task("asr");
  response.Clear();
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub->ListModels(&context, request, &response).ok());
  }
  EXPECT_EQ(response.models_size(), 0);
  request.set_task("music");
  grpc::ClientContext context;
  const grpc::Status status = stub->ListModels(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("allowed"));
}

TEST_F(ServerE2eTest, StreamingIn10msChunksEqualsUnarySampleForSample) {
  auto stub = Enhancement();
  const std::string input = Linear16(HarmonicTone(16000, 3.0, 1));
  v1::DenoiseRequest request;
  *request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
  request.set_audio_content(input);
  v1::DenoiseResponse unary;
  const grpc::Status status = Denoise(stub.get(), request, &unary);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(unary.format().encoding(), v1::LINEAR16);
  EXPECT_EQ(unary.format().sample_rate_hertz(), 16000);
  ASSERT_EQ(unary.audio_content().size(), input.size());
  EXPECT_NE(unary.audio_content(), input);

  std::string streamed;
  std::vector<int64_t> offsets;
  const grpc::Status s =
      Stream(stub.get(), Chunked(request.config(), input, 320), &streamed, &offsets);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(streamed, unary.audio_content());
  ASSERT_FALSE(offsets.empty());
  EXPECT_EQ(offsets.front(), 0);
  for (size_t i = 1; i < offsets.size(); ++i) EXPECT_GT(offsets[i], offsets[i - 1]);
}

TEST_F(ServerE2eTest, WavStreamEqualsWavUnaryAndContainerComesBack) {
  auto stub = Enhancement();
  const std::vector<float> x = HarmonicTone(16000, 2.0, 2);
  const std::string wav = *dsp::EncodeAudio(x, 16000, dsp::Encoding::kWav);
  v1::DenoiseRequest request;
  request.mutable_config();
  request.set_audio_content(wav);
  v1::DenoiseResponse unary;
  ASSERT_TRUE(Denoise(stub.get(), request, &unary).ok());
  EXPECT_EQ(unary.format().encoding(), v1::WAV);
  const absl::StatusOr<dsp::DecodedAudio> out = dsp::DecodeAudio(unary.audio_content(), {});
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->samples.size(), x.size());

  std::string streamed;
  ASSERT_TRUE(Stream(stub.get(), Chunked(request.config(), wav, 333), &streamed).ok());
  // A container in gives LINEAR16 chunks out; they equal the WAV's 16-bit samples.
  const std::string unary_pcm = Linear16(out->samples);
  EXPECT_EQ(streamed, unary_pcm);
}

TEST_F(ServerE2eTest, OutputFormatConversion) {
  auto stub = Enhancement();
  const std::vector<float> x = HarmonicTone(16000, 1.0, 3);
  v1::DenoiseRequest request;
  *request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
  request.mutable_config()->mutable_output_format()->set_encoding(v1::FLAC);
  request.mutable_config()->mutable_output_format()->set_sample_rate_hertz(8000);
  request.set_audio_content(Linear16(x));
  v1::DenoiseResponse response;
  const grpc::Status status = Denoise(stub.get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.format().encoding(), v1::FLAC);
  EXPECT_EQ(response.format().sample_rate_hertz(), 8000);
  const absl::StatusOr<dsp::DecodedAudio> out = dsp::DecodeAudio(response.audio_content(), {});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->sample_rate_hz, 8000);
  EXPECT_NEAR(static_cast<double>(out->samples.size()), 8000.0, 2.0);
}

TEST_F(ServerE2eTest, BadInputsGetClearStatusesAndOthersKeepWorking) {
  auto stub = Enhancement();
  // A good stream stays open across all the bad calls below.
  const std::string good_input = Linear16(HarmonicTone(16000, 1.0, 4));
  grpc::ClientContext good_context;
  auto good = stub->StreamingDenoise(&good_context);
  v1::StreamingDenoiseRequest first;
  *first.mutable_config() = RawConfig(v1::LINEAR16, 16000);
  ASSERT_TRUE(good->Write(first));
  v1::StreamingDenoiseRequest half;
  half.set_audio_content(good_input.substr(0, good_input.size() / 2));
  ASSERT_TRUE(good->Write(half));

  struct Case {
    const char* name;
    v1::DenoiseRequest request;
    grpc::StatusCode code;
    const char* message;
  };
  std::vector<Case> cases;
  {
    Case c{"garbage bytes", {}, grpc::StatusCode::INVALID_ARGUMENT, "unknown container"};
    c.request.mutable_config();
    c.request.set_audio_content("this is not audio at all, just text bytes");
    cases.push_back(c);
  }
  {
    Case c{"no config", {}, grpc::StatusCode::INVALID_ARGUMENT, "config is required"};
    c.request.set_audio_content(good_input);
    cases.push_back(c);
  }
  {
    Case c{"odd LINEAR16", {}, grpc::StatusCode::INVALID_ARGUMENT, "odd"};
    *c.request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
    c.request.set_audio_content(good_input.substr(0, 1001));
    cases.push_back(c);
  }
  {
    Case c{"rate too high", {}, grpc::StatusCode::INVALID_ARGUMENT, "8000..48000"};
    *c.request.mutable_config() = RawConfig(v1::LINEAR16, 96000);
    c.request.set_audio_content(good_input);
    cases.push_back(c);
  }
  {
    Case c{"unknown model", {}, grpc::StatusCode::NOT_FOUND, "available: classic"};
    *c.request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
    c.request.mutable_config()->set_model("nonexistent");
    c.request.set_audio_content(good_input);
    cases.push_back(c);
  }
  {
    Case c{"empty audio", {}, grpc::StatusCode::INVALID_ARGUMENT, "empty"};
    *c.request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
    cases.push_back(c);
  }
  {
    Case c{"too long", {}, grpc::StatusCode::OUT_OF_RANGE, "max_unary_audio_seconds"};
    *c.request.mutable_config() = RawConfig(v1::MULAW, 8000);
    c.request.set_audio_content(std::string(8000 * 21, '\x7f'));
    cases.push_back(c);
  }
  {
    Case c{"oversized message", {}, grpc::StatusCode::RESOURCE_EXHAUSTED, ""};
    *c.request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
    c.request.set_audio_content(std::string(2100000, '\0'));
    cases.push_back(c);
  }
  for (const Case& c : cases) {
    v1::DenoiseResponse response;
    const grpc::Status status = Denoise(stub.get(), c.request, &response);
    EXPECT_EQ(status.error_code(), c.code) << c.name << ": " << status.error_message();
    EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.name;
  }

  // Streaming misuse.
  {
    std::vector<v1::StreamingDenoiseRequest> audio_first(1);
    audio_first[0].set_audio_content(good_input);
    const grpc::Status s = Stream(stub.get(), audio_first, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("first message must be a config"));
  }
  {
    std::vector<v1::StreamingDenoiseRequest> twice(2);
    *twice[0].mutable_config() = RawConfig(v1::LINEAR16, 16000);
    *twice[1].mutable_config() = RawConfig(v1::LINEAR16, 16000);
    const grpc::Status s = Stream(stub.get(), twice, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("twice"));
  }
  {
    std::vector<v1::StreamingDenoiseRequest> flac(1);
    flac[0].mutable_config()->mutable_format()->set_encoding(v1::FLAC);
    const grpc::Status s = Stream(stub.get(), flac, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("WAV"));
  }
  {
    std::vector<v1::StreamingDenoiseRequest> garbage_wav(2);
    garbage_wav[0].mutable_config()->mutable_format()->set_encoding(v1::WAV);
    garbage_wav[1].set_audio_content("RIFX not a wave header at all............");
    const grpc::Status s = Stream(stub.get(), garbage_wav, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  }

  // The good stream finishes with exactly the unary result.
  half.set_audio_content(good_input.substr(good_input.size() / 2));
  ASSERT_TRUE(good->Write(half));
  ASSERT_TRUE(good->WritesDone());
  std::string streamed;
  v1::StreamingDenoiseResponse response;
  while (good->Read(&response)) streamed += response.audio_content();
  ASSERT_TRUE(good->Finish().ok());
  v1::DenoiseRequest request;
  *request.mutable_config() = RawConfig(v1::LINEAR16, 16000);
  request.set_audio_content(good_input);
  v1::DenoiseResponse unary;
  ASSERT_TRUE(Denoise(stub.get(), request, &unary).ok());
  EXPECT_EQ(streamed, unary.audio_content());
  ExpectStillServing();
}

TEST_F(ServerE2eTest, SpeechAndEmotionSayNoModelIsLoaded) {
  auto speech = v1::Speech::NewStub(server_->Channel());
  {
    v1::RecognizeRequest request;
    v1::RecognizeResponse response;
    grpc::ClientContext context;
    const grpc::Status s = speech->Recognize(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(), "no asr model is loaded");
  }
  {
    grpc::ClientContext context;
    auto call = speech->StreamingRecognize(&context);
    v1::StreamingRecognizeResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status s = call->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(), "no asr model is loaded");
  }
  auto emotion = v1::Emotion::NewStub(server_->Channel());
  {
    v1::AnalyzeEmotionRequest request;
    v1::AnalyzeEmotionResponse response;
    grpc::ClientContext context;
    const grpc::Status s = emotion->AnalyzeEmotion(&context, request, &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(), "no emotion model is loaded");
  }
  {
    grpc::ClientContext context;
    auto call = emotion->StreamingAnalyzeEmotion(&context);
    v1::StreamingAnalyzeEmotionResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status s = call->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(s.error_message(), "no emotion model is loaded");
  }
}

TEST_F(ServerE2eTest, StreamCapAndIdleTimeout) {
  auto stub = Enhancement();
  // Three idle streams fill the cap of 3; a fourth is refused; then all three time out.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<
      grpc::ClientReaderWriter<v1::StreamingDenoiseRequest, v1::StreamingDenoiseResponse>>>
      calls;
  v1::StreamingDenoiseRequest config;
  *config.mutable_config() = RawConfig(v1::LINEAR16, 16000);
  for (int i = 0; i < 3; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    calls.push_back(stub->StreamingDenoise(contexts.back().get()));
    ASSERT_TRUE(calls.back()->Write(config));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  {
    std::vector<v1::StreamingDenoiseRequest> one = {config};
    const grpc::Status s = Stream(stub.get(), one, nullptr);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("concurrent streams"));
  }
  for (auto& call : calls) {
    v1::StreamingDenoiseResponse response;
    EXPECT_FALSE(call->Read(&response));
    const grpc::Status s = call->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr("stream_idle_timeout_seconds"));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ExpectStillServing();
}

TEST(ServerDrainTest, SigtermDrainsInFlightStreamThenExitsZero) {
  testing::ServerProcess server({"--drain_grace_seconds", "10", "--workers", "1"});
  ASSERT_TRUE(server.started()) << server.Log();
  server.WaitServing();
  auto stub = v1::Enhancement::NewStub(server.Channel());
  grpc::ClientContext context;
  auto call = stub->StreamingDenoise(&context);
  v1::StreamingDenoiseRequest request;
  request.mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
  request.mutable_config()->mutable_format()->set_sample_rate_hertz(16000);
  ASSERT_TRUE(call->Write(request));
  const std::string audio = Linear16(HarmonicTone(16000, 1.0, 5));
  request.set_audio_content(audio.substr(0, audio.size() / 2));
  ASSERT_TRUE(call->Write(request));
  v1::StreamingDenoiseResponse response;
  ASSERT_TRUE(call->Read(&response));  // the stream is live

  std::thread terminator([&] { EXPECT_EQ(server.Terminate(std::chrono::seconds(20)), 0); });
  // While draining: health NOT_SERVING, new calls UNAVAILABLE, the open stream continues.
  auto drain_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (server.Health("") == HealthStatus::SERVING &&
         std::chrono::steady_clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(server.Health(""), HealthStatus::NOT_SERVING);
  {
    v1::DenoiseRequest unary;
    unary.mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
    unary.mutable_config()->mutable_format()->set_sample_rate_hertz(16000);
    unary.set_audio_content(audio);
    v1::DenoiseResponse out;
    grpc::ClientContext c;
    const grpc::Status s = stub->Denoise(&c, unary, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  std::string streamed = response.audio_content();
  request.set_audio_content(audio.substr(audio.size() / 2));
  EXPECT_TRUE(call->Write(request));
  call->WritesDone();
  while (call->Read(&response)) streamed += response.audio_content();
  const grpc::Status s = call->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(streamed.size(), audio.size());
  terminator.join();
  EXPECT_THAT(server.Log(), HasSubstr("stopped cleanly"));
}

}  // namespace
}  // namespace auris
