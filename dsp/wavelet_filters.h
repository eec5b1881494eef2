// Orthogonal wavelet filter banks: Daubechies db1..db10 and Symlets sym2..sym10 (the filters
// PyWavelets publishes, computed to full double precision). Naming and ordering follow
// PyWavelets: rec_lo is the scaling filter h (sum sqrt(2)), dec_lo = reversed h,
// rec_hi[n] = (-1)^n h[L-1-n], dec_hi = reversed rec_hi. All four have length L = 2N for dbN /
// symN, and the high-pass filters have N vanishing moments. Immutable; thread-safe.
#ifndef AURIS_DSP_WAVELET_FILTERS_H_
#define AURIS_DSP_WAVELET_FILTERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace auris::dsp {

struct WaveletFilters {
  std::string name;            // "db4", "sym8", ...
  int vanishing_moments = 0;   // N
  std::vector<double> dec_lo;  // (2N,) analysis low-pass
  std::vector<double> dec_hi;  // (2N,) analysis high-pass
  std::vector<double> rec_lo;  // (2N,) synthesis low-pass = scaling filter h
  std::vector<double> rec_hi;  // (2N,) synthesis high-pass = wavelet filter g

  int length() const { return static_cast<int>(rec_lo.size()); }
};

// "db1".."db10" ("haar" is db1), "sym2".."sym10"; NOT_FOUND otherwise.
absl::StatusOr<WaveletFilters> GetWaveletFilters(std::string_view name);
// Every name GetWaveletFilters accepts except the "haar" alias, in table order.
std::vector<std::string> WaveletFilterNames();

}  // namespace auris::dsp

#endif  // AURIS_DSP_WAVELET_FILTERS_H_
