// End-to-end: the real auris-server with the tiny ASR fixture (tests/models/golden), real
// gRPC: Recognize, StreamingRecognize, health, and every bad config -> code and message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "auris/v1/speech.grpc.pb.h"
#include "dsp/audio_encoder.h"
#include "tests/models/asr_test_util.h"
#include "tests/server/server_suite.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

double Seconds(const google::protobuf::Duration& d) { return d.seconds() + d.nanos() * 1e-9; }

class SpeechE2eTest : public testing::ServerSuite<SpeechE2eTest> {
 public:
  static std::vector<std::string> ServerFlags() {
    return {"--models_dir",
            std::string(AURIS_SOURCE_DIR) + "/tests/models/golden/asr_serving",
            "--workers",
            "2",
            "--max_unary_audio_seconds",
            "5"};
  }

 protected:
  std::unique_ptr<v1::Speech::Stub> Stub() { return v1::Speech::NewStub(server_->Channel()); }

  static grpc::Status Recognize(const v1::RecognizeRequest& request,
                                v1::RecognizeResponse* response) {
    auto stub = v1::Speech::NewStub(server_->Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return stub->Recognize(&context, request, response);
  }

  // Sends `first`, then `audio` in `chunk_bytes` pieces, half-closes; collects responses.
  static grpc::Status Stream(const v1::StreamingRecognizeRequest& first, const std::string& audio,
                             size_t chunk_bytes,
                             std::vector<v1::StreamingRecognizeResponse>* responses) {
    auto stub = v1::Speech::NewStub(server_->Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    auto call = stub->StreamingRecognize(&context);
    std::thread writer([&]() {
      if (call->Write(first)) {
        v1::StreamingRecognizeRequest request;
        for (size_t pos = 0; pos < audio.size(); pos += chunk_bytes) {
          request.set_audio_content(audio.substr(pos, chunk_bytes));
          if (!call->Write(request)) break;
        }
      }
      call->WritesDone();
    });
    v1::StreamingRecognizeResponse response;
    while (call->Read(&response)) responses->push_back(response);
    writer.join();
    return call->Finish();
  }

  static std::string Wav() {
    return *dsp::EncodeAudio(testing::AsrGoldenWaveform(), 16000, dsp::Encoding::kWav);
  }
  static std::string Pcm() {
    return *dsp::EncodeAudio(testing::AsrGoldenWaveform(), 16000, dsp::Encoding::kLinear16);
  }
  static v1::StreamingRecognizeRequest StreamingConfig() {
    v1::StreamingRecognizeRequest first;
    v1::RecognitionConfig* c = first.mutable_streaming_config()->mutable_config();
    c->mutable_format()->set_encoding(v1::LINEAR16);
    c->mutable_format()->set_sample_rate_hertz(16000);
    return first;
  }
};

TEST_F(SpeechE2eTest, SpeechIsServingWithAnAsrModel) {
  EXPECT_EQ(server_->Health("auris.v1.Speech"), HealthStatus::SERVING);
  EXPECT_EQ(server_->Health(""), HealthStatus::SERVING);
}

TEST_F(SpeechE2eTest, RecognizeSplitsAtPauses) {
  v1::RecognizeRequest request;
  request.mutable_config()->set_enable_word_time_offsets(true);
  request.mutable_config()->set_enable_word_confidence(true);
  request.mutable_config()->set_max_alternatives(3);
  request.set_audio_content(Wav());
  v1::RecognizeResponse response;
  const grpc::Status s = Recognize(request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_NEAR(Seconds(response.audio_duration()), 3.2, 1e-6);
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_LE(Seconds(response.results(0).result_end_offset()),
            Seconds(response.results(1).result_start_offset()));
  for (const auto& r : response.results()) {
    EXPECT_TRUE(r.is_final());
    ASSERT_GE(r.alternatives_size(), 1);
    EXPECT_LE(r.alternatives_size(), 3);
    const auto& best = r.alternatives(0);
    EXPECT_FALSE(best.transcript().empty());
    EXPECT_GE(best.confidence(), 0.0f);
    EXPECT_LE(best.confidence(), 1.0f);
    ASSERT_GT(best.words_size(), 0);
    for (const auto& w : best.words()) {
      EXPECT_GE(Seconds(w.start_offset()), Seconds(r.result_start_offset()));
      EXPECT_LE(Seconds(w.end_offset()), Seconds(r.result_end_offset()) + 1e-9);
      EXPECT_GT(w.confidence(), 0.0f);
    }
  }
  // Without the flags, words are not sent.
  request.mutable_config()->set_enable_word_time_offsets(false);
  request.mutable_config()->set_enable_word_confidence(false);
  v1::RecognizeResponse plain;
  ASSERT_TRUE(Recognize(request, &plain).ok());
  ASSERT_EQ(plain.results_size(), 2);
  EXPECT_EQ(plain.results(0).alternatives(0).words_size(), 0);
  EXPECT_EQ(plain.results(0).alternatives(0).transcript(),
            response.results(0).alternatives(0).transcript());
}

TEST_F(SpeechE2eTest, StreamingGivesTheUnaryTranscriptsEventsAndInterims) {
  v1::RecognizeRequest request;
  request.mutable_config();
  request.set_audio_content(Wav());
  v1::RecognizeResponse unary;
  ASSERT_TRUE(Recognize(request, &unary).ok());
  v1::StreamingRecognizeRequest first = StreamingConfig();
  first.mutable_streaming_config()->set_interim_results(true);
  std::vector<v1::StreamingRecognizeResponse> responses;
  const grpc::Status s = Stream(first, Pcm(), 3200, &responses);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> finals;
  int begins = 0, ends = 0, interims = 0;
  for (const auto& r : responses) {
    begins += r.speech_event_type() == v1::SPEECH_ACTIVITY_BEGIN;
    ends += r.speech_event_type() == v1::SPEECH_ACTIVITY_END;
    for (const auto& result : r.results()) {
      if (result.is_final()) {
        finals.push_back(result.alternatives(0).transcript());
      } else {
        ++interims;
        EXPECT_GE(result.stability(), 0.0f);
        EXPECT_LE(result.stability(), 1.0f);
      }
    }
  }
  EXPECT_EQ(begins, 2);
  EXPECT_EQ(ends, 2);
  EXPECT_GT(interims, 0);
  ASSERT_EQ(finals.size(), static_cast<size_t>(unary.results_size()));
  for (size_t i = 0; i < finals.size(); ++i) {
    EXPECT_EQ(finals[i], unary.results(static_cast<int>(i)).alternatives(0).transcript());
  }
}

TEST_F(SpeechE2eTest, StreamingWavInSmallPiecesAndMulawAt8kHz) {
  v1::RecognizeRequest request;
  request.mutable_config();
  request.set_audio_content(Wav());
  v1::RecognizeResponse unary;
  ASSERT_TRUE(Recognize(request, &unary).ok());
  ASSERT_EQ(unary.results_size(), 2);
  auto finals_of = [](const std::vector<v1::StreamingRecognizeResponse>& responses) {
    std::vector<std::string> out;
    for (const auto& r : responses) {
      for (const auto& result : r.results()) {
        if (result.is_final()) out.push_back(result.alternatives(0).transcript());
      }
    }
    return out;
  };
  v1::StreamingRecognizeRequest wav;
  wav.mutable_streaming_config()->mutable_config()->mutable_format()->set_encoding(v1::WAV);
  std::vector<v1::StreamingRecognizeResponse> responses;
  ASSERT_TRUE(Stream(wav, Wav(), 30, &responses).ok());
  EXPECT_EQ(finals_of(responses),
            (std::vector<std::string>{unary.results(0).alternatives(0).transcript(),
                                      unary.results(1).alternatives(0).transcript()}));
  std::vector<float> x16 = testing::AsrGoldenWaveform();
  std::vector<float> x8(x16.size() / 2);
  for (size_t i = 0; i < x8.size(); ++i) x8[i] = x16[2 * i];
  v1::StreamingRecognizeRequest mulaw = StreamingConfig();
  mulaw.mutable_streaming_config()->mutable_config()->mutable_format()->set_encoding(v1::MULAW);
  mulaw.mutable_streaming_config()->mutable_config()->mutable_format()->set_sample_rate_hertz(8000);
  responses.clear();
  ASSERT_TRUE(
      Stream(mulaw, *dsp::EncodeAudio(x8, 8000, dsp::Encoding::kMulaw), 800, &responses).ok());
  EXPECT_EQ(finals_of(responses).size(), 2u);
}

TEST_F(SpeechE2eTest, SingleUtteranceEndsAfterTheFirstFinal) {
  v1::StreamingRecognizeRequest first = StreamingConfig();
  first.mutable_streaming_config()->set_single_utterance(true);
  std::vector<v1::StreamingRecognizeResponse> responses;
  ASSERT_TRUE(Stream(first, Pcm(), 3200, &responses).ok());
  int finals = 0;
  bool ended = false;
  for (const auto& r : responses) {
    if (r.speech_event_type() == v1::END_OF_SINGLE_UTTERANCE) {
      EXPECT_EQ(finals, 0);
      ended = true;
    }
    for (const auto& result : r.results()) finals += result.is_final();
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(finals, 1);
}

struct BadCase {
  const char* name;
  std::function<void(v1::RecognitionConfig*)> edit;
  grpc::StatusCode code;
  const char* message;
};

std::vector<BadCase> BadCases() {
  using C = v1::RecognitionConfig;
  const auto ia = grpc::StatusCode::INVALID_ARGUMENT;
  return {
      {"alternatives", [](C* c) { c->set_max_alternatives(11); }, ia, "max_alternatives is 11"},
      {"alternatives<0", [](C* c) { c->set_max_alternatives(-1); }, ia, "max_alternatives is -1"},
      {"beam", [](C* c) { c->mutable_decoding()->set_beam_size(500); }, ia, "beam_size is 500"},
      {"beam<0", [](C* c) { c->mutable_decoding()->set_beam_size(-2); }, ia, "beam_size is -2"},
      {"lm", [](C* c) { c->mutable_decoding()->set_lm_weight(-1); }, ia, "lm_weight is -1"},
      {"bonus", [](C* c) { c->mutable_decoding()->set_word_insertion_bonus(99); }, ia,
       "word_insertion_bonus is 99"},
      {"boost",
       [](C* c) {
         auto* s = c->add_speech_contexts();
         s->add_phrases("the cat");
         s->set_boost(25);
       },
       ia, "speech_contexts[0].boost is 25"},
      {"no phrases", [](C* c) { c->add_speech_contexts()->set_boost(5); }, ia,
       "speech_contexts[0].phrases is empty"},
      {"spelling",
       [](C* c) {
         auto* s = c->add_speech_contexts();
         s->add_phrases("caf\xc3\xa9");
         s->set_boost(5);
       },
       ia, "cannot spell"},
      {"greedy+context",
       [](C* c) {
         c->mutable_decoding()->set_beam_size(1);
         auto* s = c->add_speech_contexts();
         s->add_phrases("cat");
         s->set_restrict(true);
       },
       ia, "greedy"},
      {"rate", [](C* c) { c->mutable_format()->set_sample_rate_hertz(1000); }, ia,
       "sample_rate_hertz"},
      {"model", [](C* c) { c->set_model("nope"); }, grpc::StatusCode::NOT_FOUND,
       "no asr model named \"nope\"; available: asr-tiny"},
  };
}

TEST_F(SpeechE2eTest, BadConfigsGetTheRightCodeAndMessage) {
  for (const BadCase& bad : BadCases()) {
    v1::RecognizeRequest request;
    bad.edit(request.mutable_config());
    request.set_audio_content(Wav());
    v1::RecognizeResponse response;
    const grpc::Status s = Recognize(request, &response);
    EXPECT_EQ(s.error_code(), bad.code) << bad.name << ": " << s.error_message();
    EXPECT_THAT(s.error_message(), HasSubstr(bad.message)) << bad.name;
    // The same config as the first message of a stream.
    v1::StreamingRecognizeRequest first = StreamingConfig();
    bad.edit(first.mutable_streaming_config()->mutable_config());
    std::vector<v1::StreamingRecognizeResponse> responses;
    const grpc::Status st = Stream(first, Pcm().substr(0, 6400), 3200, &responses);
    EXPECT_EQ(st.error_code(), bad.code) << bad.name << " (streaming): " << st.error_message();
    EXPECT_THAT(st.error_message(), HasSubstr(bad.message)) << bad.name;
  }
}

TEST_F(SpeechE2eTest, UnaryLimitsAndMissingConfig) {
  v1::RecognizeRequest request;
  request.set_audio_content(Wav());
  v1::RecognizeResponse response;
  grpc::Status s = Recognize(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("config is required"));
  std::vector<float> long_audio(16000 * 6, 0.0f);
  request.mutable_config();
  request.set_audio_content(*dsp::EncodeAudio(long_audio, 16000, dsp::Encoding::kWav));
  s = Recognize(request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("at most 5 s"));
}

TEST_F(SpeechE2eTest, StreamingProtocolErrors) {
  std::vector<v1::StreamingRecognizeResponse> responses;
  v1::StreamingRecognizeRequest audio_first;
  audio_first.set_audio_content(Pcm().substr(0, 320));
  grpc::Status s = Stream(audio_first, "", 1, &responses);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("first message must be a streaming_config"));

  {
    auto stub = Stub();
    grpc::ClientContext context;
    auto call = stub->StreamingRecognize(&context);
    ASSERT_TRUE(call->Write(StreamingConfig()));
    call->Write(StreamingConfig());
    call->WritesDone();
    v1::StreamingRecognizeResponse r;
    while (call->Read(&r)) {
    }
    s = call->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(s.error_message(), HasSubstr("sent twice"));
  }

  v1::StreamingRecognizeRequest flac = StreamingConfig();
  flac.mutable_streaming_config()->mutable_config()->mutable_format()->set_encoding(v1::FLAC);
  responses.clear();
  s = Stream(flac, "", 1, &responses);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);

  v1::StreamingRecognizeRequest endpoint = StreamingConfig();
  endpoint.mutable_streaming_config()->mutable_endpointing()->set_min_trailing_silence_ms(5);
  responses.clear();
  s = Stream(endpoint, Pcm().substr(0, 3200), 3200, &responses);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("endpointing.min_trailing_silence_ms is 5"));
}

}  // namespace
}  // namespace auris
