// Test audio for the end-to-end tests: a voiced-speech-like harmonic tone with a 4 Hz syllable
// envelope plus seeded white noise, LINEAR16 encoding and Duration in nanoseconds.
#ifndef AURIS_TESTS_SERVER_TEST_AUDIO_H_
#define AURIS_TESTS_SERVER_TEST_AUDIO_H_

#include <google/protobuf/duration.pb.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "dsp/audio_encoder.h"

namespace auris::testing {

struct ToneShape {
  double f0_hz = 140;
  int harmonics = 8;
  float noise_stddev = 0.05f;
};

// `seconds` of samples at `rate` Hz, deterministic for a `seed`.
inline std::vector<float> HarmonicTone(int rate, double seconds, uint32_t seed,
                                       const ToneShape& shape = {}) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, shape.noise_stddev);
  std::vector<float> x(static_cast<size_t>(rate * seconds));
  for (size_t i = 0; i < x.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    const double env = 0.5 + 0.5 * std::sin(2 * M_PI * 4 * t);
    double v = 0;
    for (int h = 1; h <= shape.harmonics; ++h) v += std::sin(2 * M_PI * shape.f0_hz * h * t) / h;
    x[i] = static_cast<float>(0.2 * env * v) + noise(rng);
  }
  return x;
}

inline std::string Linear16(const std::vector<float>& x, int rate = 16000) {
  return *dsp::EncodeAudio(x, rate, dsp::Encoding::kLinear16);
}

inline int64_t Ns(const google::protobuf::Duration& d) {
  return d.seconds() * 1000000000LL + d.nanos();
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_SERVER_TEST_AUDIO_H_
