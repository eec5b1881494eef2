// The "classic" statistical speech enhancer: causal STFT (sqrt-Hann, 20 ms window, 10 ms hop)
// -> MMSE log-spectral-amplitude gain with decision-directed a-priori SNR, a speech-presence
// noise tracker lower-bounded by minimum statistics, and an attenuation limit that follows the
// long-term SNR (clean input passes nearly untouched) -> weighted overlap-add.
// docs/classic_denoiser.md describes the algorithm and its measured quality.
// One per stream; not thread-safe. Allocates only in Create().
#ifndef AURIS_DSP_NOISE_SUPPRESSOR_H_
#define AURIS_DSP_NOISE_SUPPRESSOR_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::dsp {

struct NoiseSuppressorConfig {
  int sample_rate_hz = 16000;  // 8000..48000
  float frame_ms = 20.0f;      // analysis window; algorithmic latency is frame_ms
  float hop_ms = 10.0f;        // frame_ms / hop_ms must be 2 (sqrt-Hann WOLA)
  float min_gain_db = -20.0f;  // gain floor (maximum attenuation), -40..0 dB
  // Gain rule: MMSE log-spectral amplitude (Ephraim & Malah 1985), decision-directed xi.
  float dd_alpha = 0.95f;           // decision-directed smoothing, 0.5..0.999
  float min_prior_snr_db = -25.0f;  // a-priori SNR floor, -40..0 dB
  // Noise PSD: speech-presence-probability MMSE tracker (Gerkmann & Hendriks 2012) ...
  float speech_prior_snr_db = 10.0f;  // assumed SNR when speech is present, 0..30 dB
  // Recursive noise averaging, 10..1000 ms; 72 ms = G&H's 0.8 per 16 ms frame.
  float noise_time_constant_ms = 72.0f;
  float noise_update_clip_db = 15.0f;  // |Y|^2 clipped to this over the estimate, 3..40 dB
  // ... lower-bounded, in bins where this frame's speech presence probability is < 0.5, by the
  // bias-compensated minimum (Martin 2001) of the smoothed periodogram.
  float min_window_ms = 1600.0f;    // minimum-statistics window, 400..5000 ms
  float min_bias = 1.5f;            // bound = min_bias * minimum, 0 (off)..4
  float noise_floor_dbfs = -90.0f;  // noise PSD floor as white-noise level, -150..-40 dBFS
  // The gain uses the tracker's estimate recursively averaged with this time constant,
  // 0 (off)..5000 ms: a steadier spectrum for fluctuating noise. When the tracker's broadband
  // level differs from it by more than 3 dB (a change of noise, not a fluctuation), it takes the
  // tracker's estimate unsmoothed until they agree within 0.5 dB, so steps are still re-tracked.
  float gain_noise_time_constant_ms = 500.0f;
  // Attenuation is limited to target_snr_db - (long-term SNR), 0..-min_gain_db dB, where the SNR
  // is the 95th minus the 10th percentile of frame energies over snr_window_ms (NIST STNR-like):
  // noise already that far below the speech peaks is left alone. 20..100 dB (100: no limit).
  float target_snr_db = 40.0f;
  float snr_window_ms = 5000.0f;  // 500..30000 ms

  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class NoiseSuppressor {
 public:
  static absl::StatusOr<std::unique_ptr<NoiseSuppressor>> Create(
      const NoiseSuppressorConfig& config);

  // Appends enhanced samples to `out`; output sample i corresponds to input sample
  // i - DelaySamples() (the first DelaySamples() outputs belong to before the signal).
  // Output depends only on the input sequence, never on how it was split into calls.
  void Accept(std::span<const float> input, std::vector<float>* out);
  // End of input: appends output until total output == total input + DelaySamples().
  void Flush(std::vector<float>* out);
  // Back to the state right after Create().
  void Reset();
  // Samples of delay between input and output (window - hop).
  int DelaySamples() const;
  const NoiseSuppressorConfig& config() const;
  // The noise PSD the gain uses now (the tracker's estimate after the smoothing described at
  // gain_noise_time_constant_ms) as the level of equivalent white noise, dBFS (full scale 1.0).
  float NoiseLevelDb() const;
  // The same per bin, (frame/2+1,), |STFT|^2 units. Valid until the next Accept/Flush/Reset.
  std::span<const float> NoisePsd() const;

  ~NoiseSuppressor();

 private:
  struct Impl;
  explicit NoiseSuppressor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_NOISE_SUPPRESSOR_H_
