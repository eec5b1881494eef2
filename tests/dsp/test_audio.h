// Test-only audio helpers: decode any file sox reads and synthesise speech with espeak-ng, both
// to 16 kHz mono float. Return an empty vector when the tool or file is missing.
#ifndef AURIS_TESTS_DSP_TEST_AUDIO_H_
#define AURIS_TESTS_DSP_TEST_AUDIO_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace auris::dsp::testing_audio {

inline bool HaveTool(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

inline std::vector<float> ReadFloatsFrom(const std::string& command) {
  std::vector<float> samples;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return samples;
  float buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, sizeof(float), 4096, pipe)) > 0) {
    samples.insert(samples.end(), buffer, buffer + n);
  }
  if (pclose(pipe) != 0) samples.clear();
  return samples;
}

// Any audio file -> 16 kHz mono float32 via sox.
inline std::vector<float> ReadAudio16k(const std::string& path) {
  return ReadFloatsFrom("sox '" + path + "' -t raw -e float -b 32 -r 16000 -c 1 - 2>/dev/null");
}

// Text -> 16 kHz mono float32 via espeak-ng (voice e.g. "en-us", "en+f3"; speed in words/min).
inline std::vector<float> Speak(const std::string& text, const std::string& voice, int speed) {
  const std::string wav = ::testing::TempDir() + "/auris_espeak.wav";
  const std::string cmd = "espeak-ng -v " + voice + " -s " + std::to_string(speed) + " -w '" + wav +
                          "' \"" + text + "\" >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  return ReadAudio16k(wav);
}

}  // namespace auris::dsp::testing_audio

#endif  // AURIS_TESTS_DSP_TEST_AUDIO_H_
