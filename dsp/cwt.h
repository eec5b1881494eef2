// Continuous wavelet transform computed with FFTs, for analytic wavelets defined in the
// frequency domain with peak value 2 (a cosine of amplitude A at a scale's centre frequency
// gives |W| = A). With w in rad (unscaled):
//   Morlet: 2 exp(-(w - w0)^2 / 2), peak at w0.
//   Morse:  2 (e gamma / beta)^(beta / gamma) w^beta exp(-w^gamma), peak (beta/gamma)^(1/gamma).
//   bump:   2 exp(1 - 1 / (1 - u^2)), u = (w - mu) / sigma, |u| < 1; peak at mu.
// Psi(w) is that for w > 0, zero for w <= 0 (and at DC and Nyquist). Scale s is applied as Psi(s
// w), w in rad/sample; s is chosen so the peak falls on the centre frequency. Centre frequencies
// are fmax * 2^(-k / voices_per_octave), k = 0 .. num_scales-1 (descending, >= fmin). Cwt is
// immutable after Create and thread-safe; CwtStream (cwt_stream.h) is its streaming form.
#ifndef AURIS_DSP_CWT_H_
#define AURIS_DSP_CWT_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/fft_plan.h"

namespace auris::dsp {

enum class CwtWavelet { kMorlet, kMorse, kBump };
absl::StatusOr<CwtWavelet> CwtWaveletFromName(std::string_view name);  // morlet, morse, bump
std::string CwtWaveletName(CwtWavelet w);

struct CwtConfig {
  CwtWavelet wavelet = CwtWavelet::kMorlet;
  double sample_rate = 16000.0;  // Hz, > 0
  double fmin = 50.0;            // Hz, 0 < fmin <= fmax
  double fmax = 4000.0;          // Hz, < sample_rate / 2
  int voices_per_octave = 8;     // 1..64
  double morlet_omega0 = 6.0;    // rad, > 0
  double morse_beta = 20.0;      // > 0
  double morse_gamma = 3.0;      // > 0
  double bump_mu = 5.0;          // rad, > bump_sigma
  double bump_sigma = 0.6;       // rad, > 0
  int block_size = 1600;         // CwtStream hop in samples, 1..1048576
  // Relative wavelet magnitude below which the time support is cut (sets CwtStream overlap).
  double support_tolerance = 1e-6;  // (0, 0.1)

  // floor(voices_per_octave * log2(fmax / fmin)) + 1.
  int num_scales() const;
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class Cwt {
 public:
  static absl::StatusOr<std::unique_ptr<Cwt>> Create(const CwtConfig& config);

  // Whole-signal magnitude scalogram, (num_scales, T) row-major, T = x.size() >= 2. The FFT
  // length is T, so the signal is treated as periodic: the first and last support() columns
  // see the other end of the signal (wrap-around within the cone of influence).
  absl::StatusOr<std::vector<float>> Transform(std::span<const float> x) const;

  // Psi(s_k w) for scale index k, w in rad/sample.
  double WaveletSpectrum(int scale, double omega) const;

  int num_scales() const { return static_cast<int>(frequencies_.size()); }
  std::span<const double> frequencies() const { return frequencies_; }  // Hz, descending
  std::span<const double> scales() const { return scales_; }            // s_k, dimensionless
  // Half-width in samples beyond which every wavelet (largest scale, and smallest scale whose
  // spectrum may be cut at Nyquist) stays below support_tolerance of its peak: the left
  // context and the look-ahead CwtStream keeps.
  int support() const { return support_; }
  const CwtConfig& config() const { return config_; }

  // CwtStream's FFT length (>= block_size + 2 support()) and, per scale, the filter
  // Psi(s_k w_j) / (2 n) at its n/2+1 bins (zero at DC and Nyquist).
  int stream_fft_size() const { return stream_fft_size_; }
  std::span<const float> stream_filter(int scale) const;

 private:
  explicit Cwt(const CwtConfig& config);
  absl::Status Init();
  double Mother(double omega) const;  // Psi(w) of the unscaled wavelet
  // Samples beyond which |psi_k(t)| < support_tolerance * max |psi_k|.
  absl::StatusOr<int> HalfWidth(int scale) const;

  CwtConfig config_;
  std::vector<double> frequencies_;
  std::vector<double> scales_;
  int support_ = 0;
  int stream_fft_size_ = 0;
  std::vector<float> stream_filters_;  // (num_scales, stream_fft_size/2 + 1)
};

// |z[t]| for t in [first, first + count) where z is the inverse FFT of the one-sided spectrum
// spectrum[j] * 2 * filter[j] (j < n/2+1): the analytic filter output. `filter` carries the
// 1/(2n) scale. Two real inverse FFTs into `re` / `im` (n,); `scratch` has n/2+1 bins.
void AnalyticMagnitude(const FftPlan& plan, const AlignedComplex& spectrum,
                       std::span<const float> filter, int first, int count, AlignedComplex* scratch,
                       AlignedFloats* re, AlignedFloats* im, float* out);

}  // namespace auris::dsp

#endif  // AURIS_DSP_CWT_H_
