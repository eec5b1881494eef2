// Test-only speech-like signal: bursts ("syllables") of a gliding harmonic tone separated by
// silence. Non-stationary like speech, so noise trackers do not take it for noise; needs no
// external tool. Deterministic.
#ifndef AURIS_TESTS_COMMON_SYLLABIC_HARMONICS_H_
#define AURIS_TESTS_COMMON_SYLLABIC_HARMONICS_H_

#include <cmath>
#include <cstddef>
#include <vector>

namespace auris::testing {

struct SyllableSpec {
  int sample_rate_hz = 16000;
  double period_s = 0.3;    // one syllable plus its pause
  double on_s = 0.2;        // sine-shaped burst length within each period
  double f0_hz = 150;       // mean pitch
  double f0_swing_hz = 30;  // pitch glide amplitude
  double glide_hz = 1.0;    // pitch glide rate
  int harmonics = 6;        // amplitudes 1/h
  double amplitude = 0.25;
};

// `samples` samples of the signal, in [-amplitude * 2.45, amplitude * 2.45].
inline std::vector<float> SyllabicHarmonics(std::size_t samples, const SyllableSpec& s) {
  std::vector<float> x(samples);
  double phase = 0;
  for (std::size_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / s.sample_rate_hz;
    const double in_syllable = std::fmod(t, s.period_s);
    phase += 2 * M_PI * (s.f0_hz + s.f0_swing_hz * std::sin(2 * M_PI * s.glide_hz * t)) /
             s.sample_rate_hz;
    double v = 0;
    for (int h = 1; h <= s.harmonics; ++h) v += std::sin(h * phase) / h;
    const double env = in_syllable < s.on_s ? std::sin(M_PI * in_syllable / s.on_s) : 0.0;
    x[i] = static_cast<float>(s.amplitude * env * v);
  }
  return x;
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_COMMON_SYLLABIC_HARMONICS_H_
