// Test-only audio helpers: decode any file sox reads and synthesise speech with espeak-ng, both
// to 16 kHz mono float. Return an empty vector when the tool or file is missing.
#ifndef AURIS_TESTS_DSP_TEST_AUDIO_H_
#define AURIS_TESTS_DSP_TEST_AUDIO_H_

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace auris::dsp::testing_audio {

// `n` samples of unit-variance Gaussian white noise, seeded.
inline std::vector<float> White(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng);
  return x;
}

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
  // One file per process and call: test binaries run in parallel under ctest -j.
  static int calls = 0;
  const std::string wav = ::testing::TempDir() + "/auris_espeak_" + std::to_string(getpid()) + "_" +
                          std::to_string(calls++) + ".wav";
  const std::string cmd = "espeak-ng -v " + voice + " -s " + std::to_string(speed) + " -w '" + wav +
                          "' \"" + text + "\" >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return {};
  std::vector<float> samples = ReadAudio16k(wav);
  std::remove(wav.c_str());
  return samples;
}

inline double Energy(std::span<const float> x) {
  double e = 0.0;
  for (float v : x) e += double{v} * v;
  return e;
}

// x repeated (circularly, starting at `offset`) to length n.
inline std::vector<float> Tile(const std::vector<float>& x, std::size_t n, std::size_t offset) {
  std::vector<float> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = x[(i + offset) % x.size()];
  return y;
}

// Babble: one talker per voice, each speaking `per_talker` of `texts` (starting at its own
// index) at base_speed + talker * speed_step words/min, pauses removed, scaled to unit RMS and
// circularly shifted by a seeded random offset, summed. Empty if espeak-ng is missing.
struct BabbleSpec {
  std::vector<std::string> texts;
  std::vector<std::string> voices;
  int per_talker = 2;
  int base_speed = 150;
  int speed_step = 0;
  uint32_t seed = 7;
};

inline std::vector<float> Babble(std::size_t n, const BabbleSpec& spec) {
  std::vector<float> babble(n, 0.0f);
  std::mt19937 rng(spec.seed);
  for (std::size_t talker = 0; talker < spec.voices.size(); ++talker) {
    std::vector<float> voice;
    for (int j = 0; j < spec.per_talker; ++j) {
      const std::string& text = spec.texts[(talker + j) % spec.texts.size()];
      const int speed = spec.base_speed + spec.speed_step * static_cast<int>(talker);
      for (float v : Speak(text, spec.voices[talker], speed)) {
        if (std::abs(v) > 1e-4f) voice.push_back(v);
      }
    }
    if (voice.empty()) return {};
    const float rms = static_cast<float>(std::sqrt(Energy(voice) / voice.size()));
    const std::vector<float> shifted = Tile(voice, n, rng() % voice.size());
    for (std::size_t i = 0; i < n; ++i) babble[i] += shifted[i] / rms;
  }
  return babble;
}

}  // namespace auris::dsp::testing_audio

#endif  // AURIS_TESTS_DSP_TEST_AUDIO_H_
