#include "dsp/snr_estimator.h"

#include <algorithm>
#include <cmath>

namespace auris::dsp {
namespace {

constexpr float kSpeechPercentile = 0.95f;
constexpr float kNoisePercentile = 0.10f;

}  // namespace

FrameEnergySnrEstimator::FrameEnergySnrEstimator(int window_frames, float floor_power)
    : floor_power_(floor_power),
      history_db_(static_cast<std::size_t>(std::max(window_frames, 1)), 0.0f),
      scratch_(history_db_.size(), 0.0f) {}

void FrameEnergySnrEstimator::Reset() { count_ = 0; }

float FrameEnergySnrEstimator::Percentile(float p, int n) {
  const auto nth = scratch_.begin() + static_cast<std::ptrdiff_t>(p * static_cast<float>(n - 1));
  std::nth_element(scratch_.begin(), nth, scratch_.begin() + n);
  return *nth;
}

float FrameEnergySnrEstimator::Update(float frame_energy) {
  const std::size_t size = history_db_.size();
  history_db_[static_cast<std::size_t>(count_ % static_cast<long long>(size))] =
      10.0f * std::log10(std::max(frame_energy, 0.0f) + floor_power_);
  ++count_;
  const int n = static_cast<int>(std::min<long long>(count_, static_cast<long long>(size)));
  std::copy(history_db_.begin(), history_db_.begin() + n, scratch_.begin());
  const float speech = Percentile(kSpeechPercentile, n);
  const float noise = Percentile(kNoisePercentile, n);
  return speech - noise;
}

}  // namespace auris::dsp
