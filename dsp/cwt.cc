#include "dsp/cwt.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::dsp {
namespace {

constexpr int kMaxSupportFft = 1 << 22;

int NextFastSize(int n) {
  for (int m = n;; ++m) {
    int r = m;
    for (int p : {2, 3, 5}) {
      while (r % p == 0) r /= p;
    }
    if (r == 1) return m;
  }
}

absl::Status Invalid(const std::string& field, double value, const std::string& range) {
  return absl::InvalidArgumentError(
      absl::StrCat("CwtConfig.", field, " ", value, " outside ", range));
}

}  // namespace

void AnalyticMagnitude(const FftPlan& plan, const AlignedComplex& spectrum,
                       std::span<const float> filter, int first, int count, AlignedComplex* scratch,
                       AlignedFloats* re, AlignedFloats* im, float* out) {
  const int bins = plan.num_bins();
  for (int j = 0; j < bins; ++j) (*scratch)[j] = spectrum[j] * filter[j];
  plan.Inverse(scratch, re);
  for (int j = 0; j < bins; ++j) {
    const std::complex<float> v = spectrum[j] * filter[j];
    (*scratch)[j] = {v.imag(), -v.real()};  // -i v
  }
  plan.Inverse(scratch, im);
  for (int t = 0; t < count; ++t) {
    out[t] = std::hypot((*re)[first + t], (*im)[first + t]);
  }
}

absl::StatusOr<CwtWavelet> CwtWaveletFromName(std::string_view name) {
  if (name == "morlet") return CwtWavelet::kMorlet;
  if (name == "morse") return CwtWavelet::kMorse;
  if (name == "bump") return CwtWavelet::kBump;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown CWT wavelet '", std::string(name), "' (morlet, morse, bump)"));
}

std::string CwtWaveletName(CwtWavelet w) {
  switch (w) {
    case CwtWavelet::kMorlet:
      return "morlet";
    case CwtWavelet::kMorse:
      return "morse";
    case CwtWavelet::kBump:
      return "bump";
  }
  return "unknown";
}

int CwtConfig::num_scales() const {
  return static_cast<int>(std::floor(voices_per_octave * std::log2(fmax / fmin) + 1e-9)) + 1;
}

absl::Status CwtConfig::Validate() const {
  if (!(sample_rate > 0.0)) return Invalid("sample_rate", sample_rate, "(0, inf)");
  if (!(fmax > 0.0 && fmax < sample_rate / 2)) {
    return Invalid("fmax", fmax, absl::StrCat("(0, sample_rate/2=", sample_rate / 2, ")"));
  }
  if (!(fmin > 0.0 && fmin <= fmax)) return Invalid("fmin", fmin, "(0, fmax]");
  if (voices_per_octave < 1 || voices_per_octave > 64) {
    return Invalid("voices_per_octave", voices_per_octave, "1..64");
  }
  if (!(morlet_omega0 > 0.0)) return Invalid("morlet_omega0", morlet_omega0, "(0, inf)");
  if (!(morse_beta > 0.0)) return Invalid("morse_beta", morse_beta, "(0, inf)");
  if (!(morse_gamma > 0.0)) return Invalid("morse_gamma", morse_gamma, "(0, inf)");
  if (!(bump_sigma > 0.0)) return Invalid("bump_sigma", bump_sigma, "(0, inf)");
  if (!(bump_mu > bump_sigma)) return Invalid("bump_mu", bump_mu, "(bump_sigma, inf)");
  if (block_size < 1 || block_size > (1 << 20)) {
    return Invalid("block_size", block_size, "1..1048576");
  }
  if (!(support_tolerance > 0.0 && support_tolerance < 0.1)) {
    return Invalid("support_tolerance", support_tolerance, "(0, 0.1)");
  }
  return absl::OkStatus();
}

std::string CwtConfig::ToString() const {
  return absl::StrFormat(
      "CwtConfig(wavelet=%s, sample_rate=%g, fmin=%g, fmax=%g, voices_per_octave=%d, "
      "morlet_omega0=%g, morse_beta=%g, morse_gamma=%g, bump_mu=%g, bump_sigma=%g, "
      "block_size=%d, support_tolerance=%g)",
      CwtWaveletName(wavelet), sample_rate, fmin, fmax, voices_per_octave, morlet_omega0,
      morse_beta, morse_gamma, bump_mu, bump_sigma, block_size, support_tolerance);
}

Cwt::Cwt(const CwtConfig& config) : config_(config) {}

absl::StatusOr<std::unique_ptr<Cwt>> Cwt::Create(const CwtConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  std::unique_ptr<Cwt> cwt(new Cwt(config));
  if (absl::Status s = cwt->Init(); !s.ok()) return s;
  return cwt;
}

double Cwt::Mother(double w) const {
  if (w <= 0.0) return 0.0;
  switch (config_.wavelet) {
    case CwtWavelet::kMorlet: {
      const double u = w - config_.morlet_omega0;
      return 2.0 * std::exp(-0.5 * u * u);
    }
    case CwtWavelet::kMorse: {
      const double b = config_.morse_beta, g = config_.morse_gamma;
      return 2.0 *
             std::exp(b / g * (1.0 + std::log(g) - std::log(b)) + b * std::log(w) - std::pow(w, g));
    }
    case CwtWavelet::kBump: {
      const double u = (w - config_.bump_mu) / config_.bump_sigma;
      return std::abs(u) < 1.0 ? 2.0 * std::exp(1.0 - 1.0 / (1.0 - u * u)) : 0.0;
    }
  }
  return 0.0;
}

double Cwt::WaveletSpectrum(int scale, double omega) const {
  return Mother(scales_[scale] * omega);
}

std::span<const float> Cwt::stream_filter(int scale) const {
  const std::size_t bins = stream_fft_size_ / 2 + 1;
  return std::span<const float>(stream_filters_).subspan(scale * bins, bins);
}

absl::Status Cwt::Init() {
  double peak = config_.morlet_omega0;
  if (config_.wavelet == CwtWavelet::kMorse) {
    peak = std::pow(config_.morse_beta / config_.morse_gamma, 1.0 / config_.morse_gamma);
  } else if (config_.wavelet == CwtWavelet::kBump) {
    peak = config_.bump_mu;
  }
  for (int k = 0; k < config_.num_scales(); ++k) {
    const double f = config_.fmax * std::exp2(-static_cast<double>(k) / config_.voices_per_octave);
    frequencies_.push_back(f);
    scales_.push_back(peak / (2.0 * std::numbers::pi * f / config_.sample_rate));
  }
  // The largest scale is the longest wavelet; the smallest can have long tails when its
  // spectrum is cut at Nyquist.
  for (int k : {num_scales() - 1, 0}) {
    absl::StatusOr<int> half_width = HalfWidth(k);
    if (!half_width.ok()) return half_width.status();
    support_ = std::max(support_, *half_width);
  }
  stream_fft_size_ = NextFastSize(config_.block_size + 2 * support_);
  const int bins = stream_fft_size_ / 2 + 1;
  stream_filters_.assign(static_cast<std::size_t>(num_scales()) * bins, 0.0f);
  for (int k = 0; k < num_scales(); ++k) {
    for (int j = 1; j < bins; ++j) {
      if (2 * j == stream_fft_size_) continue;
      stream_filters_[k * bins + j] =
          static_cast<float>(WaveletSpectrum(k, 2.0 * std::numbers::pi * j / stream_fft_size_) /
                             (2.0 * stream_fft_size_));
    }
  }
  absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(stream_fft_size_);
  return plan.status();
}

absl::StatusOr<int> Cwt::HalfWidth(int scale) const {
  for (int n = 1024; n <= kMaxSupportFft; n *= 2) {
    absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(n);
    if (!plan.ok()) return plan.status();
    const int bins = n / 2 + 1;
    AlignedComplex delta(bins), scratch(bins);
    std::vector<float> filter(bins, 0.0f);
    for (int j = 0; j < bins; ++j) delta[j] = 1.0f;
    for (int j = 1; j < bins - 1; ++j) {
      filter[j] =
          static_cast<float>(WaveletSpectrum(scale, 2.0 * std::numbers::pi * j / n) / (2.0 * n));
    }
    AlignedFloats re(n), im(n);
    std::vector<float> mag(n);
    AnalyticMagnitude(**plan, delta, filter, 0, n, &scratch, &re, &im, mag.data());
    const float max = *std::max_element(mag.begin(), mag.end());
    int half_width = 0;
    for (int t = 0; t < n; ++t) {
      if (mag[t] > config_.support_tolerance * max) {
        half_width = std::max(half_width, std::min(t, n - t));
      }
    }
    if (half_width < n / 4) return half_width + 1;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "CwtConfig: the ", frequencies_[scale], " Hz wavelet stays above support_tolerance beyond ",
      kMaxSupportFft / 4, " samples (lower fmax, raise fmin or raise support_tolerance)"));
}

absl::StatusOr<std::vector<float>> Cwt::Transform(std::span<const float> x) const {
  const int n = static_cast<int>(x.size());
  if (n < 2) return absl::InvalidArgumentError("Cwt::Transform needs at least 2 samples");
  absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(n);
  if (!plan.ok()) return plan.status();
  const int bins = n / 2 + 1;
  AlignedFloats in(n), re(n), im(n);
  AlignedComplex spectrum(bins), scratch(bins);
  std::copy(x.begin(), x.end(), in.data());
  (*plan)->Forward(in, &spectrum);
  std::vector<float> filter(bins, 0.0f);
  std::vector<float> out(static_cast<std::size_t>(num_scales()) * n);
  for (int k = 0; k < num_scales(); ++k) {
    for (int j = 1; j < bins; ++j) {
      filter[j] =
          2 * j == n
              ? 0.0f
              : static_cast<float>(WaveletSpectrum(k, 2.0 * std::numbers::pi * j / n) / (2.0 * n));
    }
    AnalyticMagnitude(**plan, spectrum, filter, 0, n, &scratch, &re, &im,
                      out.data() + static_cast<std::size_t>(k) * n);
  }
  return out;
}

}  // namespace auris::dsp
