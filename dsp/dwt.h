// Multilevel orthogonal discrete wavelet transform (analysis and synthesis), periodization
// boundary mode. Each level treats its input of length n as one period of a periodic signal:
// odd n is first extended to n+1 by repeating the last sample, then
//   a[k] = sum_j h[j] x[(2k + j) mod m],  d[k] = sum_j g[j] x[(2k + j) mod m],  k < m/2,
// with h = rec_lo, g = rec_hi (dsp/wavelet_filters.h), m the (even) extended length. The
// level is an orthogonal map of R^m, so Synthesize(Analyze(x)) == x for every length (the
// extension sample is dropped) and energy is preserved whenever no level needs an extension
// (length divisible by 2^levels). Whole-signal only; Dwt is immutable and thread-safe.
#ifndef AURIS_DSP_DWT_H_
#define AURIS_DSP_DWT_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/wavelet_filters.h"

namespace auris::dsp {

struct DwtConfig {
  std::string wavelet = "db4";  // db1..db10, haar, sym2..sym10
  int levels = 3;               // 1..16; each level's input must have >= 2 samples

  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

// Coefficients of a `levels`-level decomposition of a signal of `lengths[0]` samples.
struct DwtCoefficients {
  std::vector<float> approximation;         // (ceil(lengths.back() / 2),) coarsest a_J
  std::vector<std::vector<float>> details;  // details[j]: (ceil(lengths[j] / 2),), j=0 finest
  std::vector<int> lengths;                 // (levels,) input length of level j, samples
};

class Dwt {
 public:
  static absl::StatusOr<std::unique_ptr<Dwt>> Create(const DwtConfig& config);

  // x: (n,) samples. INVALID_ARGUMENT if some level's input would have fewer than 2 samples.
  absl::StatusOr<DwtCoefficients> Analyze(std::span<const float> x) const;
  // Inverse of Analyze; INVALID_ARGUMENT if the coefficient sizes are inconsistent.
  absl::StatusOr<std::vector<float>> Synthesize(const DwtCoefficients& c) const;

  const DwtConfig& config() const { return config_; }
  const WaveletFilters& filters() const { return filters_; }

 private:
  Dwt(const DwtConfig& config, WaveletFilters filters);

  DwtConfig config_;
  WaveletFilters filters_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_DWT_H_
