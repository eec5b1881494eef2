// End-to-end: `auris mic` captures from a real PortAudio/ALSA input device (ALSA's `file`
// plugin playing a prepared recording, configured through a private $HOME/.asoundrc), streams
// it to the real auris-server and writes the denoised audio.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "dsp/audio_decoder.h"
#include "dsp/quality_metrics.h"
#include "tests/common/syllabic_harmonics.h"
#include "tests/server/server_process.h"

namespace auris {
namespace {

namespace fs = std::filesystem;

TEST(MicTest, CapturesDenoisesAndWritesTheRecording) {
  if (!fs::exists(std::string(AURIS_BINARY_DIR) + "/clients/auris")) GTEST_SKIP();
  const fs::path dir = fs::temp_directory_path() / ("auris_mic_test_" + std::to_string(getpid()));
  fs::create_directories(dir / "home");
  // 3 s of syllabic harmonics plus white noise at about 5 dB SNR, as raw S16LE 16 kHz mono.
  std::mt19937 rng(11);
  std::normal_distribution<float> noise(0.0f, 0.04f);
  const std::vector<float> clean = testing::SyllabicHarmonics(48000, testing::SyllableSpec{});
  std::vector<float> noisy(48000);
  std::vector<int16_t> pcm(48000);
  for (size_t i = 0; i < clean.size(); ++i) {
    noisy[i] = clean[i] + noise(rng);
    pcm[i] = static_cast<int16_t>(std::lround(std::clamp(noisy[i], -1.0f, 1.0f) * 32767.0f));
    noisy[i] = pcm[i] / 32768.0f;
  }
  std::ofstream(dir / "in.raw", std::ios::binary)
      .write(reinterpret_cast<const char*>(pcm.data()), pcm.size() * 2);
  std::ofstream(dir / "home" / ".asoundrc")
      << "pcm.!default {\n  type file\n  slave.pcm \"null\"\n  file \"/dev/null\"\n  infile \""
      << (dir / "in.raw").string() << "\"\n  format \"raw\"\n}\n";

  testing::ServerProcess server({});
  ASSERT_TRUE(server.started()) << server.Log();
  const std::string out = (dir / "out.wav").string();
  const std::string command = "HOME=" + (dir / "home").string() + " " + AURIS_BINARY_DIR +
                              "/clients/auris --json --server " + server.address() +
                              " mic --seconds 2 -o " + out + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string report;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) report.append(buf, n);
  ASSERT_EQ(pclose(pipe), 0) << report;
  const nlohmann::json j = nlohmann::json::parse(report);
  EXPECT_DOUBLE_EQ(j["captured_seconds"].get<double>(), 2.0);
  EXPECT_EQ(j["input_overflows"], 0);

  std::ifstream in(out, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const absl::StatusOr<dsp::DecodedAudio> denoised = dsp::DecodeAudio(bytes, {});
  ASSERT_TRUE(denoised.ok()) << denoised.status();
  ASSERT_EQ(denoised->samples.size(), 32000u);
  const std::span<const float> reference = std::span<const float>(clean).first(32000);
  const double before = dsp::SiSdrDb(reference, std::span<const float>(noisy).first(32000));
  const double after = dsp::SiSdrDb(reference, denoised->samples);
  EXPECT_GT(after, before + 1.0) << "before " << before << " after " << after;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace auris
