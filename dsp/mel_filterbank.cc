#include "dsp/mel_filterbank.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::dsp {
namespace {

constexpr double kSlaneyMinLogHz = 1000.0;
constexpr double kSlaneyHzPerMel = 200.0 / 3.0;
constexpr double kSlaneyMinLogMel = kSlaneyMinLogHz / kSlaneyHzPerMel;

double SlaneyLogStep() { return std::log(6.4) / 27.0; }

}  // namespace

absl::Status MelFilterbankConfig::Validate() const {
  if (sample_rate < 1000 || sample_rate > 384000) {
    return absl::InvalidArgumentError(
        absl::StrCat("MelFilterbankConfig.sample_rate = ", sample_rate, " outside 1000..384000"));
  }
  if (n_fft < 2 || n_fft > 65536) {
    return absl::InvalidArgumentError(
        absl::StrCat("MelFilterbankConfig.n_fft = ", n_fft, " outside 2..65536"));
  }
  if (n_mels < 1 || n_mels > 1024) {
    return absl::InvalidArgumentError(
        absl::StrCat("MelFilterbankConfig.n_mels = ", n_mels, " outside 1..1024"));
  }
  const double nyquist = sample_rate / 2.0;
  if (!(fmax > 0.0) || fmax > nyquist) {
    return absl::InvalidArgumentError(absl::StrCat("MelFilterbankConfig.fmax = ", fmax,
                                                   " outside (0, sample_rate/2 = ", nyquist, "]"));
  }
  if (!(fmin >= 0.0) || fmin >= fmax) {
    return absl::InvalidArgumentError(
        absl::StrCat("MelFilterbankConfig.fmin = ", fmin, " outside [0, fmax = ", fmax, ")"));
  }
  return absl::OkStatus();
}

std::string MelFilterbankConfig::ToString() const {
  return absl::StrFormat(
      "MelFilterbankConfig(sample_rate=%d, n_fft=%d, n_mels=%d, fmin=%g, fmax=%g, scale=%s, "
      "slaney_norm=%s)",
      sample_rate, n_fft, n_mels, fmin, fmax, scale == MelScale::kHtk ? "htk" : "slaney",
      slaney_norm ? "true" : "false");
}

double MelFilterbank::HzToMel(double hz, MelScale scale) {
  if (scale == MelScale::kHtk) return 2595.0 * std::log10(1.0 + hz / 700.0);
  if (hz < kSlaneyMinLogHz) return hz / kSlaneyHzPerMel;
  return kSlaneyMinLogMel + std::log(hz / kSlaneyMinLogHz) / SlaneyLogStep();
}

double MelFilterbank::MelToHz(double mel, MelScale scale) {
  if (scale == MelScale::kHtk) return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
  if (mel < kSlaneyMinLogMel) return mel * kSlaneyHzPerMel;
  return kSlaneyMinLogHz * std::exp(SlaneyLogStep() * (mel - kSlaneyMinLogMel));
}

absl::StatusOr<std::unique_ptr<MelFilterbank>> MelFilterbank::Create(
    const MelFilterbankConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  std::unique_ptr<MelFilterbank> bank(new MelFilterbank(config));
  const int n_mels = config.n_mels;
  const double mel_lo = HzToMel(config.fmin, config.scale);
  const double mel_hi = HzToMel(config.fmax, config.scale);
  std::vector<double> edges_hz(n_mels + 2);
  for (int i = 0; i < n_mels + 2; ++i) {
    edges_hz[i] = MelToHz(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1), config.scale);
  }
  const double bin_hz = static_cast<double>(config.sample_rate) / config.n_fft;
  bank->filters_.resize(n_mels);
  for (int m = 0; m < n_mels; ++m) {
    const double left = edges_hz[m], centre = edges_hz[m + 1], right = edges_hz[m + 2];
    const double scale = config.slaney_norm ? 2.0 / (right - left) : 1.0;
    Filter& filter = bank->filters_[m];
    filter.first_bin = -1;
    for (int k = 0; k < config.num_bins(); ++k) {
      const double f = k * bin_hz;
      const double rising = (f - left) / (centre - left);
      const double falling = (right - f) / (right - centre);
      const double w = std::max(0.0, std::min(rising, falling)) * scale;
      if (w > 0.0 && filter.first_bin < 0) filter.first_bin = k;
      if (filter.first_bin >= 0 && w <= 0.0) break;
      if (filter.first_bin >= 0) filter.weights.push_back(static_cast<float>(w));
    }
    if (filter.first_bin < 0) filter.first_bin = 0;
  }
  return bank;
}

void MelFilterbank::Apply(std::span<const float> power, std::span<float> mel) const {
  for (std::size_t m = 0; m < filters_.size(); ++m) {
    const Filter& filter = filters_[m];
    const float* p = power.data() + filter.first_bin;
    float sum = 0.0f;
    for (std::size_t i = 0; i < filter.weights.size(); ++i) sum += filter.weights[i] * p[i];
    mel[m] = sum;
  }
}

std::vector<float> MelFilterbank::DenseMatrix() const {
  const int bins = config_.num_bins();
  std::vector<float> dense(static_cast<std::size_t>(config_.n_mels) * bins, 0.0f);
  for (int m = 0; m < config_.n_mels; ++m) {
    const Filter& filter = filters_[m];
    std::copy(filter.weights.begin(), filter.weights.end(),
              dense.begin() + static_cast<std::size_t>(m) * bins + filter.first_bin);
  }
  return dense;
}

}  // namespace auris::dsp
