// Triangular mel filterbank over the n_fft/2+1 power bins of a real FFT. HTK scale
// (2595 log10(1 + f/700)) or Slaney's (linear below 1 kHz, log above); optional Slaney area
// normalisation (each filter scaled by 2 / its width in Hz). Triangles are built in Hz between
// mel-spaced edges (librosa / torchaudio convention). Immutable after Create(): Apply() is const
// and thread-safe, so one bank can be shared by every stream.
#ifndef AURIS_DSP_MEL_FILTERBANK_H_
#define AURIS_DSP_MEL_FILTERBANK_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::dsp {

enum class MelScale { kHtk, kSlaney };

struct MelFilterbankConfig {
  int sample_rate = 16000;  // Hz, 1000..384000
  int n_fft = 512;          // FFT size, 2..65536; filters span n_fft/2+1 bins
  int n_mels = 80;          // number of filters, 1..1024
  double fmin = 20.0;       // Hz, 0 <= fmin < fmax
  double fmax = 7600.0;     // Hz, <= sample_rate / 2
  MelScale scale = MelScale::kHtk;
  bool slaney_norm = false;  // scale filter m by 2 / (hz[m+2] - hz[m])

  int num_bins() const { return n_fft / 2 + 1; }
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class MelFilterbank {
 public:
  static absl::StatusOr<std::unique_ptr<MelFilterbank>> Create(const MelFilterbankConfig& config);

  static double HzToMel(double hz, MelScale scale);
  static double MelToHz(double mel, MelScale scale);

  // power: (num_bins,) -> mel: (n_mels,) energies, mel[m] = sum_k W[m, k] power[k].
  void Apply(std::span<const float> power, std::span<float> mel) const;
  // Dense weights, row-major (n_mels, num_bins).
  std::vector<float> DenseMatrix() const;
  const MelFilterbankConfig& config() const { return config_; }

 private:
  explicit MelFilterbank(const MelFilterbankConfig& config) : config_(config) {}

  struct Filter {
    int first_bin = 0;           // index of weights[0]
    std::vector<float> weights;  // non-zero span of the triangle
  };
  MelFilterbankConfig config_;
  std::vector<Filter> filters_;  // (n_mels,)
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_MEL_FILTERBANK_H_
