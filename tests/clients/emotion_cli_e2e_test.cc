// End-to-end: `auris emotion` against the real auris-server with the shipped emotion model
// (models/shipped/emotion.json), on speech synthesised by espeak-ng (skips without it).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "auris/v1/emotion.grpc.pb.h"
#include "tests/clients/cli_run.h"
#include "tests/dsp/test_audio.h"
#include "tests/server/server_process.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunCli;

// Mono 32-bit float WAV (WAVE_FORMAT_IEEE_FLOAT) at 16 kHz, so a -20 dB copy is not requantised.
std::string FloatWav(const std::vector<float>& x) {
  std::string out;
  auto put = [&out](uint32_t v, int bytes) {
    for (int b = 0; b < bytes; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
  };
  const uint32_t data_bytes = static_cast<uint32_t>(x.size() * 4);
  out += "RIFF";
  put(36 + data_bytes, 4);
  out += "WAVEfmt ";
  put(16, 4);
  put(3, 2);  // IEEE float
  put(1, 2);  // mono
  put(16000, 4);
  put(16000 * 4, 4);
  put(4, 2);
  put(32, 2);
  out += "data";
  put(data_bytes, 4);
  out.append(reinterpret_cast<const char*>(x.data()), data_bytes);  // little-endian host
  return out;
}

class EmotionCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::ServerProcess(
        {"--models_dir", std::string(AURIS_SOURCE_DIR) + "/models/shipped", "--workers", "1"});
    ASSERT_TRUE(server_->started()) << server_->Log();
    ASSERT_TRUE(server_->WaitServing()) << server_->Log();
    dir_ = fs::temp_directory_path() / ("auris_emotion_cli_test_" + std::to_string(getpid()));
    fs::create_directories(dir_ / "folder");
    speech_ = dsp::testing_audio::Speak(
        "Stop it right now! I told you a hundred times, and I will not say it again.", "en-us",
        170);
    if (speech_.empty()) return;
    float peak = 0.0f;
    for (float v : speech_) peak = std::max(peak, std::abs(v));
    std::vector<float> loud(speech_.size()), quiet(speech_.size());
    for (size_t i = 0; i < speech_.size(); ++i) {
      loud[i] = 0.9f * speech_[i] / peak;
      quiet[i] = 0.1f * loud[i];  // -20 dB
    }
    Write("loud.wav", loud);
    Write("quiet.wav", quiet);
    Write("folder/a.wav", loud);
    Write("folder/b.wav", quiet);
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    fs::remove_all(dir_);
  }
  void SetUp() override {
    if (speech_.empty()) GTEST_SKIP() << "espeak-ng or sox missing";
  }

  static void Write(const std::string& name, const std::vector<float>& x) {
    std::ofstream(dir_ / name, std::ios::binary) << FloatWav(x);
  }
  static std::string Server() { return "--server " + server_->address() + " "; }
  static std::string Path(const std::string& name) { return (dir_ / name).string(); }

  static grpc::Status Analyze(const std::string& name, v1::AnalyzeEmotionResponse* response) {
    std::ifstream in(dir_ / name, std::ios::binary);
    v1::AnalyzeEmotionRequest request;
    request.mutable_config();
    request.set_audio_content(std::string(std::istreambuf_iterator<char>(in), {}));
    auto stub = v1::Emotion::NewStub(server_->Channel());
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    return stub->AnalyzeEmotion(&context, request, response);
  }
  // The --json line of one file.
  static nlohmann::json CliJson(const std::string& name) {
    const CliRun run = RunCli(Server() + "emotion --json " + Path(name));
    EXPECT_EQ(run.exit_code, 0) << run.out;
    return nlohmann::json::parse(run.out, nullptr, /*allow_exceptions=*/false);
  }

  static testing::ServerProcess* server_;
  static fs::path dir_;
  static std::vector<float> speech_;
};

testing::ServerProcess* EmotionCliTest::server_ = nullptr;
fs::path EmotionCliTest::dir_;
std::vector<float> EmotionCliTest::speech_;

TEST_F(EmotionCliTest, SummaryAndTrackEqualADirectCall) {
  v1::AnalyzeEmotionResponse direct;
  const grpc::Status status = Analyze("loud.wav", &direct);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GT(direct.frames_size(), 10);

  const nlohmann::json j = CliJson("loud.wav");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["path"], Path("loud.wav"));
  EXPECT_EQ(j["summary"]["arousal"].get<float>(), direct.summary().arousal());
  EXPECT_EQ(j["summary"]["valence"].get<float>(), direct.summary().valence());
  EXPECT_GT(j["summary"]["speech_seconds"].get<double>(), 0.5);
  ASSERT_EQ(j["frames"].size(), static_cast<size_t>(direct.frames_size()));
  for (int k = 0; k < direct.frames_size(); ++k) {
    const nlohmann::json& f = j["frames"][k];
    EXPECT_EQ(f["arousal"].get<float>(), direct.frames(k).arousal()) << k;
    EXPECT_EQ(f["valence"].get<float>(), direct.frames(k).valence()) << k;
    EXPECT_NEAR(f["end_seconds"].get<double>() - f["start_seconds"].get<double>(), 0.04, 1e-9);
  }

  const CliRun text = RunCli(Server() + "emotion " + Path("loud.wav"));
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_THAT(text.out,
              HasSubstr(absl::StrFormat("\tarousal %+.3f\tvalence %+.3f\t",
                                        direct.summary().arousal(), direct.summary().valence())));
}

TEST_F(EmotionCliTest, QuietCopyGivesTheSameArousal) {
  const nlohmann::json loud = CliJson("loud.wav");
  const nlohmann::json quiet = CliJson("quiet.wav");
  ASSERT_TRUE(loud.is_object() && quiet.is_object());
  const double a_loud = loud["summary"]["arousal"];
  const double a_quiet = quiet["summary"]["arousal"];
  RecordProperty("arousal_loud", absl::StrFormat("%.4f", a_loud));
  RecordProperty("arousal_quiet", absl::StrFormat("%.4f", a_quiet));
  // Issue #8: a -20 dB copy changes summary arousal by at most 0.1.
  EXPECT_NEAR(a_quiet, a_loud, 0.1);
}

TEST_F(EmotionCliTest, FolderGivesOneLinePerFile) {
  const CliRun run = RunCli(Server() + "emotion " + Path("folder"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr(Path("folder/a.wav") + "\tarousal "));
  EXPECT_THAT(run.out, HasSubstr(Path("folder/b.wav") + "\tarousal "));
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 2);
}

TEST_F(EmotionCliTest, ErrorsAreReportedWithCodeAndExitCode) {
  std::ofstream(dir_ / "garbage.wav") << "not audio at all";
  const CliRun bad = RunCli(Server() + "emotion " + Path("garbage.wav"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("INVALID_ARGUMENT"));
  const CliRun bad_json = RunCli(Server() + "emotion --json " + Path("garbage.wav"));
  EXPECT_EQ(bad_json.exit_code, 1);
  EXPECT_THAT(bad_json.out, HasSubstr("\"error\":\"INVALID_ARGUMENT\""));
  const CliRun unknown = RunCli(Server() + "emotion --model nope " + Path("loud.wav"));
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.out, HasSubstr("NOT_FOUND"));
  const CliRun missing = RunCli(Server() + "emotion /nonexistent.wav");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.out, HasSubstr("does not exist"));
}

}  // namespace
}  // namespace auris
