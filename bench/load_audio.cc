#include "bench/load_audio.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace auris::bench {

std::string SpeechLikeLinear16(int rate, double seconds, uint32_t seed) {
  static constexpr double kVowels[][3] = {
      {730, 1090, 2440}, {270, 2290, 3010}, {300, 870, 2240}, {530, 1840, 2480}, {570, 840, 2410}};
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const size_t n = static_cast<size_t>(seconds * rate);
  std::vector<double> speech(n, 0.0);
  size_t pos = static_cast<size_t>(uniform(rng) * 0.2 * rate);
  const double base_f0 = 90 + 140 * uniform(rng);
  double phase = 0;
  while (pos < n) {
    const size_t length = static_cast<size_t>((0.12 + 0.18 * uniform(rng)) * rate);
    const double* formants = kVowels[rng() % 5];
    const double f0_start = base_f0 * (0.85 + 0.3 * uniform(rng));
    const double f0_end = base_f0 * (0.85 + 0.3 * uniform(rng));
    const double mean_f0 = 0.5 * (f0_start + f0_end);
    const int harmonics = std::max(1, static_cast<int>(3800.0 / mean_f0));
    std::vector<double> weights(harmonics);
    for (int h = 0; h < harmonics; ++h) {
      const double f = (h + 1) * mean_f0;
      double w = 0.05;
      for (int k = 0; k < 3; ++k) w += std::exp(-std::pow((f - formants[k]) / 120.0, 2)) / (k + 1);
      weights[h] = w / std::sqrt(h + 1.0);
    }
    for (size_t i = 0; i < length && pos + i < n; ++i) {
      const double progress = static_cast<double>(i) / static_cast<double>(length);
      const double f0 = f0_start + (f0_end - f0_start) * progress;
      phase += 2 * std::numbers::pi * f0 / rate;
      const double envelope = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * progress);
      double v = 0;
      for (int h = 0; h < harmonics; ++h) v += weights[h] * std::sin((h + 1) * phase);
      speech[pos + i] = envelope * v;
    }
    pos += length + static_cast<size_t>((uniform(rng) < 0.15 ? 0.3 + 0.3 * uniform(rng)
                                                             : 0.03 + 0.12 * uniform(rng)) *
                                        rate);
  }
  double peak = 1e-9, power = 0;
  for (double v : speech) peak = std::max(peak, std::abs(v));
  for (double& v : speech) {
    v *= 0.3 / peak;
    power += v * v;
  }
  const double speech_rms = std::sqrt(power / std::max<size_t>(n, 1));
  const double noise_rms = speech_rms / std::pow(10.0, 5.0 / 20.0);
  std::normal_distribution<double> white(0.0, 1.0);
  double rumble = 0;
  std::string bytes(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    rumble = 0.98 * rumble + 0.2 * white(rng);
    const double x = speech[i] + noise_rms * (0.8 * white(rng) + 0.6 * rumble);
    const auto s = static_cast<int16_t>(std::lround(std::clamp(x, -1.0, 32767.0 / 32768) * 32768));
    bytes[2 * i] = static_cast<char>(s & 0xff);
    bytes[2 * i + 1] = static_cast<char>((s >> 8) & 0xff);
  }
  return bytes;
}

}  // namespace auris::bench
