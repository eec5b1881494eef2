// Streaming speech front end (ARCHITECTURE.md §8): optional pre-emphasis -> causal STFT
// (frame t covers samples [hop t, hop t + frame_length), window zero-padded to n_fft, no centre
// padding) -> power spectrum -> mel filterbank -> natural log with floor -> optional MFCC
// (orthonormal DCT-II + sinusoidal liftering) -> optional deltas -> optional CMVN.
// Output rows are feature_dim() floats: n_mels (log-mel) or n_ceps (MFCC), times
// (delta_order + 1). FeatureExtractor is per-stream (not thread-safe); the steady state
// allocates nothing beyond growing the caller's output vector.
#ifndef AURIS_DSP_FEATURE_EXTRACTOR_H_
#define AURIS_DSP_FEATURE_EXTRACTOR_H_

#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/cmvn.h"
#include "dsp/dct.h"
#include "dsp/delta_features.h"
#include "dsp/mel_filterbank.h"
#include "dsp/stft.h"
#include "dsp/window.h"

namespace auris::dsp {

struct FeatureConfig {
  int sample_rate = 16000;                // Hz, 1000..384000
  int frame_length = 400;                 // samples, 1..n_fft
  int hop = 160;                          // samples, 1..frame_length
  int n_fft = 512;                        // frame_length..65536
  WindowType window = WindowType::kHann;  // periodic
  float preemphasis = 0.0f;               // y[n] = x[n] - a x[n-1], a in [0, 1); 0 = off
  int n_mels = 80;                        // 1..1024
  MelScale mel_scale = MelScale::kHtk;
  double fmin = 20.0;             // Hz
  double fmax = 7600.0;           // Hz, <= sample_rate / 2
  bool slaney_norm = false;       // area-normalise the mel filters
  float log_floor = 1e-6f;        // log(max(mel energy, log_floor)), > 0
  int n_ceps = 0;                 // 0 = log-mel output; 1..n_mels = MFCC
  float cepstral_lifter = 22.0f;  // L: c[i] *= 1 + L/2 sin(pi i / L); 0 = off (MFCC only)
  int delta_order = 0;            // 0..2
  int delta_window = 2;           // N, 1..10; look-ahead = delta_order * delta_window frames
  CmvnMode cmvn = CmvnMode::kNone;
  std::vector<float> cmvn_mean;  // (feature_dim,), kGlobal only
  std::vector<float> cmvn_std;   // (feature_dim,), > 0, kGlobal only

  int base_dim() const { return n_ceps > 0 ? n_ceps : n_mels; }
  int feature_dim() const { return base_dim() * (delta_order + 1); }
  int lookahead_frames() const { return delta_order * delta_window; }
  StftConfig stft_config() const;
  MelFilterbankConfig mel_config() const;
  DeltaConfig delta_config() const;
  CmvnConfig cmvn_config() const;
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class FeatureExtractor {
 public:
  static absl::StatusOr<std::unique_ptr<FeatureExtractor>> Create(const FeatureConfig& config);
  // Whole-signal helper: Accept(samples) then Flush(); row-major (T, feature_dim).
  static absl::StatusOr<std::vector<float>> Compute(const FeatureConfig& config,
                                                    std::span<const float> samples);

  // samples: mono in [-1, 1] at sample_rate. Appends every completed row to `features`
  // (row-major (T, feature_dim)); with deltas, row t appears once frame t + lookahead exists.
  void Accept(std::span<const float> samples, std::vector<float>* features);
  // End of input: appends the rows held back by the delta look-ahead (none without deltas;
  // partial frames are dropped), then resets.
  void Flush(std::vector<float>* features);
  void Reset();
  const FeatureConfig& config() const { return config_; }
  int feature_dim() const { return config_.feature_dim(); }

 private:
  explicit FeatureExtractor(const FeatureConfig& config);
  void ProcessFrame(std::span<const std::complex<float>> spectrum, std::vector<float>* features);

  FeatureConfig config_;
  std::unique_ptr<StftAnalyzer> stft_;
  std::unique_ptr<const MelFilterbank> mel_;
  std::unique_ptr<const Dct> dct_;  // null for log-mel output
  std::unique_ptr<DeltaFeatures> deltas_;
  std::unique_ptr<Cmvn> cmvn_;
  std::vector<float> lifter_;      // (n_ceps,)
  std::vector<float> emphasized_;  // (hop,)
  AlignedComplex spectrum_;        // (num_bins,), the STFT writes it directly
  std::vector<float> power_;       // (num_bins,)
  std::vector<float> log_mel_;     // (n_mels,)
  std::vector<float> base_;        // (base_dim,)
  float previous_sample_ = 0.0f;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_FEATURE_EXTRACTOR_H_
