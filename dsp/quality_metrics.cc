#include "dsp/quality_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace auris::dsp {
namespace {

double Mean(std::span<const float> x) {
  double sum = 0.0;
  for (float v : x) sum += v;
  return x.empty() ? 0.0 : sum / static_cast<double>(x.size());
}

double RatioDb(double num, double den) {
  constexpr double kTiny = 1e-30;
  if (den <= kTiny) {
    return num <= kTiny ? 0.0 : std::numeric_limits<double>::infinity();
  }
  if (num <= kTiny) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(num / den);
}

}  // namespace

double SiSdrDb(std::span<const float> reference, std::span<const float> estimate) {
  const std::size_t n = std::min(reference.size(), estimate.size());
  reference = reference.first(n);
  estimate = estimate.first(n);
  const double ref_mean = Mean(reference);
  const double est_mean = Mean(estimate);
  double ref_energy = 0.0;
  double cross = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = reference[i] - ref_mean;
    ref_energy += r * r;
    cross += r * (estimate[i] - est_mean);
  }
  if (ref_energy <= 0.0) return -std::numeric_limits<double>::infinity();
  const double scale = cross / ref_energy;
  double target_energy = 0.0;
  double error_energy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double target = scale * (reference[i] - ref_mean);
    const double error = (estimate[i] - est_mean) - target;
    target_energy += target * target;
    error_energy += error * error;
  }
  return RatioDb(target_energy, error_energy);
}

double SnrDb(std::span<const float> reference, std::span<const float> estimate) {
  const std::size_t n = std::min(reference.size(), estimate.size());
  double ref_energy = 0.0;
  double error_energy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double r = reference[i];
    const double e = r - estimate[i];
    ref_energy += r * r;
    error_energy += e * e;
  }
  return RatioDb(ref_energy, error_energy);
}

}  // namespace auris::dsp
