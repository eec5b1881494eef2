#include "dsp/dwt.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::dsp {
namespace {

constexpr int kMaxLevels = 16;

// One analysis level on x (n samples); writes ceil(n/2) approximation and detail values.
void AnalyzeLevel(const WaveletFilters& f, std::span<const double> x, std::vector<double>* a,
                  std::vector<double>* d) {
  const int n = static_cast<int>(x.size());
  const int m = n + (n % 2);
  const int half = m / 2;
  const int len = f.length();
  a->assign(half, 0.0);
  d->assign(half, 0.0);
  for (int k = 0; k < half; ++k) {
    double sa = 0.0, sd = 0.0;
    for (int j = 0; j < len; ++j) {
      const int i = (2 * k + j) % m;
      const double v = x[i < n ? i : n - 1];
      sa += f.rec_lo[j] * v;
      sd += f.rec_hi[j] * v;
    }
    (*a)[k] = sa;
    (*d)[k] = sd;
  }
}

// Adjoint of AnalyzeLevel on the extended length; returns the first n samples.
void SynthesizeLevel(const WaveletFilters& f, std::span<const double> a, std::span<const float> d,
                     int n, std::vector<double>* x) {
  const int m = 2 * static_cast<int>(a.size());
  const int len = f.length();
  x->assign(m, 0.0);
  for (int k = 0; k < m / 2; ++k) {
    for (int j = 0; j < len; ++j) {
      (*x)[(2 * k + j) % m] += f.rec_lo[j] * a[k] + f.rec_hi[j] * d[k];
    }
  }
  x->resize(n);
}

}  // namespace

absl::Status DwtConfig::Validate() const {
  if (!GetWaveletFilters(wavelet).ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("DwtConfig.wavelet '", wavelet, "' must be db1..db10, haar or sym2..sym10"));
  }
  if (levels < 1 || levels > kMaxLevels) {
    return absl::InvalidArgumentError(
        absl::StrCat("DwtConfig.levels ", levels, " outside 1..", kMaxLevels));
  }
  return absl::OkStatus();
}

std::string DwtConfig::ToString() const {
  return absl::StrCat("DwtConfig(wavelet=", wavelet, ", levels=", levels, ", mode=periodization)");
}

Dwt::Dwt(const DwtConfig& config, WaveletFilters filters)
    : config_(config), filters_(std::move(filters)) {}

absl::StatusOr<std::unique_ptr<Dwt>> Dwt::Create(const DwtConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  absl::StatusOr<WaveletFilters> filters = GetWaveletFilters(config.wavelet);
  if (!filters.ok()) return filters.status();
  return std::unique_ptr<Dwt>(new Dwt(config, *std::move(filters)));
}

absl::StatusOr<DwtCoefficients> Dwt::Analyze(std::span<const float> x) const {
  DwtCoefficients out;
  std::vector<double> current(x.begin(), x.end()), a, d;
  for (int level = 0; level < config_.levels; ++level) {
    const int n = static_cast<int>(current.size());
    if (n < 2) {
      return absl::InvalidArgumentError(absl::StrCat(
          "a ", x.size(), "-sample signal is too short for ", config_.levels, " DWT levels"));
    }
    out.lengths.push_back(n);
    AnalyzeLevel(filters_, current, &a, &d);
    out.details.emplace_back(d.begin(), d.end());
    current.swap(a);
  }
  out.approximation.assign(current.begin(), current.end());
  return out;
}

absl::StatusOr<std::vector<float>> Dwt::Synthesize(const DwtCoefficients& c) const {
  const int levels = static_cast<int>(c.lengths.size());
  if (levels == 0 || static_cast<int>(c.details.size()) != levels) {
    return absl::InvalidArgumentError("DwtCoefficients: lengths and details sizes differ");
  }
  std::vector<double> a(c.approximation.begin(), c.approximation.end()), x;
  for (int level = levels - 1; level >= 0; --level) {
    const int n = c.lengths[level];
    const std::size_t half = static_cast<std::size_t>(n + n % 2) / 2;
    if (n < 2 || a.size() != half || c.details[level].size() != half) {
      return absl::InvalidArgumentError(absl::StrCat("DwtCoefficients: level ", level, " has ",
                                                     a.size(), "/", c.details[level].size(),
                                                     " coefficients for a ", n, "-sample input"));
    }
    SynthesizeLevel(filters_, a, c.details[level], n, &x);
    a.swap(x);
  }
  return std::vector<float>(a.begin(), a.end());
}

}  // namespace auris::dsp
