// End-to-end: the real `auris` CLI against the real auris-server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"
#include "dsp/quality_metrics.h"
#include "tests/clients/cli_run.h"
#include "tests/common/syllabic_harmonics.h"
#include "tests/server/server_process.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;
using testing::CliRun;
using testing::RunCli;

class CliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::ServerProcess({});
    ASSERT_TRUE(server_->started()) << server_->Log();
    dir_ = fs::temp_directory_path() / ("auris_cli_test_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    // Syllabic harmonics (the "speech") plus seeded white noise at about 5 dB SNR.
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.04f);
    testing::SyllableSpec speech;
    speech.f0_hz = 140;
    clean_ = testing::SyllabicHarmonics(32000, speech);
    noisy_.resize(clean_.size());
    for (size_t i = 0; i < clean_.size(); ++i) noisy_[i] = clean_[i] + noise(rng);
    Write("clean.wav", clean_);
    Write("noisy.wav", noisy_);
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(dir_);
  }
  static void Write(const std::string& name, const std::vector<float>& x) {
    std::ofstream(dir_ / name, std::ios::binary)
        << *dsp::EncodeAudio(x, 16000, dsp::Encoding::kWav);
  }
  static std::string Server() { return "--server " + server_->address() + " "; }
  static std::string Path(const std::string& name) { return (dir_ / name).string(); }
  static dsp::DecodedAudio Read(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    return *dsp::DecodeAudio(bytes, {});
  }

  static testing::ServerProcess* server_;
  static fs::path dir_;
  static std::vector<float> clean_, noisy_;
};

testing::ServerProcess* CliTest::server_ = nullptr;
fs::path CliTest::dir_;
std::vector<float> CliTest::clean_, CliTest::noisy_;

TEST_F(CliTest, HealthWaitsForServingAndListsServices) {
  const CliRun run = RunCli(Server() + "health --wait 30");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_THAT(run.out, HasSubstr("auris.v1.Enhancement: SERVING"));
  EXPECT_THAT(run.out, HasSubstr("auris.v1.Speech: SERVING"));
}

TEST_F(CliTest, ModelsJson) {
  const CliRun run = RunCli(Server() + "--json models");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out);
  ASSERT_GE(j.size(), 1u);
  bool classic_is_default = false;
  for (const auto& m : j) classic_is_default |= m["name"] == "classic" && m["is_default"] == true;
  EXPECT_TRUE(classic_is_default) << run.out;
}

TEST_F(CliTest, DenoiseToFlacImprovesSiSdrAndStreamingMatchesUnary) {
  ASSERT_EQ(RunCli(Server() + "health --wait 30").exit_code, 0);
  const CliRun unary = RunCli(Server() + "--json denoise " + Path("noisy.wav") + " -o " +
                              Path("out.flac") + " --reference " + Path("clean.wav"));
  ASSERT_EQ(unary.exit_code, 0) << unary.out;
  const nlohmann::json report = nlohmann::json::parse(unary.out);
  const double before = report["si_sdr_db"]["before"];
  const double after = report["si_sdr_db"]["after"];
  EXPECT_NEAR(before, dsp::SiSdrDb(clean_, noisy_), 0.01);
  EXPECT_GT(after, before + 2.0);
  const dsp::DecodedAudio flac = Read("out.flac");
  EXPECT_EQ(flac.encoding, dsp::Encoding::kFlac);
  EXPECT_EQ(flac.samples.size(), noisy_.size());

  const CliRun streaming =
      RunCli(Server() + "denoise --streaming " + Path("noisy.wav") + " -o " + Path("s.wav"));
  ASSERT_EQ(streaming.exit_code, 0) << streaming.out;
  const dsp::DecodedAudio streamed = Read("s.wav");
  EXPECT_EQ(streamed.samples, flac.samples);  // both are 16-bit; FLAC is lossless
}

TEST_F(CliTest, FolderInFolderOut) {
  fs::create_directories(dir_ / "in");
  fs::copy_file(dir_ / "noisy.wav", dir_ / "in" / "a.wav", fs::copy_options::overwrite_existing);
  fs::copy_file(dir_ / "clean.wav", dir_ / "in" / "b.wav", fs::copy_options::overwrite_existing);
  const CliRun run = RunCli(Server() + "denoise " + Path("in") + " -o " + Path("out"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "a.wav"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "b.wav"));
}

TEST_F(CliTest, ErrorsAreReportedWithCodeAndExitOne) {
  std::ofstream(dir_ / "garbage.wav") << "not audio";
  const CliRun bad = RunCli(Server() + "denoise " + Path("garbage.wav") + " -o " + Path("x.wav"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("INVALID_ARGUMENT"));
  const CliRun asr = RunCli(Server() + "transcribe --model nope " + Path("clean.wav"));
  EXPECT_EQ(asr.exit_code, 1);
  EXPECT_THAT(asr.out, HasSubstr("NOT_FOUND"));
  const CliRun missing = RunCli(Server() + "denoise /nonexistent.wav -o " + Path("x.wav"));
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.out, HasSubstr("does not exist"));
}

// The shipped asr model through the CLI: espeak-ng speech (22.05 kHz WAV, resampled by the
// server) gives a non-empty transcript, and StreamingRecognize in 100 ms chunks gives the
// same transcript as Recognize.
TEST_F(CliTest, TranscribeSpeechUnaryEqualsStreaming) {
  const std::string wav = Path("speech.wav");
  const std::string speak = "espeak-ng -v en-us -s 150 -w " + wav +
                            " 'please call stella and ask her to bring these things' 2>&1";
  if (std::system(speak.c_str()) != 0) GTEST_SKIP() << "espeak-ng is not installed";
  const CliRun unary = RunCli(Server() + "--json transcribe " + wav);
  ASSERT_EQ(unary.exit_code, 0) << unary.out;
  const CliRun streaming = RunCli(Server() + "--json transcribe --streaming " + wav);
  ASSERT_EQ(streaming.exit_code, 0) << streaming.out;
  const std::string a = nlohmann::json::parse(unary.out)["transcript"];
  const std::string b = nlohmann::json::parse(streaming.out)["transcript"];
  EXPECT_FALSE(a.empty()) << unary.out;
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace auris
