// End-to-end: the real auris-server with the tiny ASR fixture, started with --max_batch_size 1
// and with --max_batch_size 8: concurrent StreamingRecognize clients with different audio and
// chunk sizes get the same responses (events, interims, finals, word times) from both.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "auris/v1/speech.grpc.pb.h"
#include "dsp/audio_encoder.h"
#include "tests/models/asr_test_util.h"
#include "tests/server/http_test_util.h"
#include "tests/server/server_process.h"
#include "tests/server/test_audio.h"

namespace auris {
namespace {

using ::testing::HasSubstr;

constexpr int kClients = 8;

using testing::FreePort;
using testing::HttpGet;

// The value of an unlabelled metric line "name value", or -1.
long long MetricValue(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = text.find(key);
  return at == std::string::npos ? -1 : std::stoll(text.substr(at + key.size()));
}

std::vector<std::string> Flags(int max_batch_size, int metrics_port) {
  return {"--models_dir",        std::string(AURIS_SOURCE_DIR) + "/tests/models/golden/asr_serving",
          "--workers",           "2",
          "--max_batch_size",    std::to_string(max_batch_size),
          "--max_batch_wait_ms", "20",
          "--metrics_port",      std::to_string(metrics_port)};
}

// Client i's audio: the golden waveform at its own gain and rotation, then a second pass of
// it, so every stream has pauses (finals) at its own times.
std::string Audio(int i) {
  const std::vector<float> golden = testing::AsrGoldenWaveform();
  std::vector<float> x(golden.size() + static_cast<size_t>(4000 * i));
  for (size_t k = 0; k < x.size(); ++k) {
    x[k] = (0.5f + 0.1f * static_cast<float>(i % 5)) * golden[(k + 3200 * i) % golden.size()];
  }
  return testing::Linear16(x);
}

// Everything of a response that batching must not change, as text.
std::string Describe(const v1::StreamingRecognizeResponse& r) {
  std::string out = absl::StrCat("event ", r.speech_event_type(), " at ",
                                 testing::Ns(r.speech_event_offset()), ";");
  for (const v1::SpeechRecognitionResult& result : r.results()) {
    absl::StrAppend(&out, result.is_final() ? " final" : " interim", " [",
                    testing::Ns(result.result_end_offset()), "]");
    for (const auto& alt : result.alternatives()) {
      absl::StrAppend(&out, " \"", alt.transcript(), "\"");
      for (const auto& w : alt.words()) {
        absl::StrAppend(&out, " ", w.word(), "@", testing::Ns(w.start_offset()), "-",
                        testing::Ns(w.end_offset()));
      }
    }
  }
  return out;
}

// Runs kClients concurrent streams against `server`; returns each one's described responses.
std::vector<std::vector<std::string>> RunClients(const testing::ServerProcess& server) {
  std::vector<std::vector<std::string>> described(kClients);
  std::vector<grpc::Status> statuses(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i]() {
      auto stub = v1::Speech::NewStub(server.Channel());
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
      auto call = stub->StreamingRecognize(&context);
      v1::StreamingRecognizeRequest first;
      v1::StreamingRecognitionConfig* config = first.mutable_streaming_config();
      config->set_interim_results(true);
      config->mutable_config()->set_enable_word_time_offsets(true);
      config->mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
      config->mutable_config()->mutable_format()->set_sample_rate_hertz(16000);
      const std::string audio = Audio(i);
      const size_t chunk_bytes = 2 * 160 * static_cast<size_t>(1 + 7 * (i % 4));  // 10..220 ms
      std::thread writer([&]() {
        if (!call->Write(first)) return;
        v1::StreamingRecognizeRequest request;
        for (size_t pos = 0; pos < audio.size(); pos += chunk_bytes) {
          request.set_audio_content(audio.substr(pos, chunk_bytes));
          if (!call->Write(request)) break;
        }
        call->WritesDone();
      });
      v1::StreamingRecognizeResponse response;
      while (call->Read(&response)) described[i].push_back(Describe(response));
      writer.join();
      statuses[i] = call->Finish();
    });
  }
  for (std::thread& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << "client " << i << ": " << statuses[i].error_message();
  }
  return described;
}

TEST(SpeechBatchE2eTest, ConcurrentStreamsGetTheUnbatchedResponses) {
  const int solo_metrics = FreePort();
  testing::ServerProcess solo(Flags(1, solo_metrics));
  ASSERT_TRUE(solo.started()) << solo.Log();
  ASSERT_TRUE(solo.WaitServing());
  const int batched_metrics = FreePort();
  testing::ServerProcess batched(Flags(8, batched_metrics));
  ASSERT_TRUE(batched.started()) << batched.Log();
  ASSERT_TRUE(batched.WaitServing());

  const std::vector<std::vector<std::string>> want = RunClients(solo);
  const std::vector<std::vector<std::string>> got = RunClients(batched);
  int finals = 0;
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(want[i], got[i]) << "client " << i;
    for (const std::string& r : want[i]) finals += r.find(" final ") != std::string::npos;
  }
  EXPECT_GT(finals, kClients) << "the audio should give every stream finals";

  const std::string solo_text = HttpGet(solo_metrics, "/metrics");
  EXPECT_THAT(solo_text, HasSubstr("auris_asr_batches_total 0"));
  const std::string batched_text = HttpGet(batched_metrics, "/metrics");
  const long long batches = MetricValue(batched_text, "auris_asr_batches_total");
  const long long streams = MetricValue(batched_text, "auris_asr_batch_streams_total");
  EXPECT_GT(batches, 0) << batched_text;
  EXPECT_GE(streams, batches);
  std::cout << "batched server: " << batches << " batches, " << streams << " stream steps\n";
}

TEST(SpeechBatchE2eTest, BadBatchFlagsStopStartUpWithAClearMessage) {
  testing::ServerProcess zero({"--max_batch_size", "0"});
  EXPECT_FALSE(zero.started());
  EXPECT_THAT(zero.Log(), HasSubstr("max_batch_size"));
  testing::ServerProcess wait({"--max_batch_wait_ms", "-1"});
  EXPECT_FALSE(wait.started());
  EXPECT_THAT(wait.Log(), HasSubstr("max_batch_wait_ms"));
}

}  // namespace
}  // namespace auris
