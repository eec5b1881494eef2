// Streaming frame-level voice activity detector. Per 10 ms frame: band powers of a causal
// 20 ms Hann STFT (window ending at the frame's end) -> per-band noise PSD (speech-presence
// weighted recursive averaging, lower-bounded by minimum statistics, and the mean power of
// non-speech frames) -> per-band generalised likelihood ratio (cf. Sohn et al. 1999) averaged
// over bands -> thresholds that adapt to the noise's own score distribution, hysteresis and
// hangover -> decisions and speech begin/end events with sample offsets. A periodicity cue
// gates the decisions: a frame is "voiced" when its pitch strength (normalised autocorrelation
// peak over lags of 1/400..1/65 s, causal window of three periods of the lowest pitch) exceeds
// the noise's own; speech starts within voicing_hold_ms and continues within voicing_keep_ms of
// a voiced frame, or else needs unvoiced_on_factor times the thresholds.
// One per stream; not thread-safe. Allocates only in Create().
#ifndef AURIS_DSP_VAD_H_
#define AURIS_DSP_VAD_H_

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::dsp {

struct VadConfig {
  int sample_rate_hz = 16000;  // 8000..48000
  float frame_ms = 10.0f;      // decision frame (hop), 5..30 ms; the analysis window is 2x
  // Analysis bands (mel-spaced) cover [min_hz, max_hz], where most speech energy and the
  // formants are; max_hz is capped at 0.45 * sample rate.
  int num_bands = 16;      // 4..64
  float min_hz = 150.0f;   // 0..1000 Hz
  float max_hz = 5000.0f;  // 1000..24000 Hz
  // Noise PSD: recursive averaging weighted by each band's speech absence probability
  // (Gerkmann & Hendriks 2012; 72 ms = their 0.8 per 16 ms frame) ...
  float noise_time_constant_ms = 72.0f;  // 20..2000 ms
  // ... lower-bounded by min_bias times the minimum (Martin 2001) of the smoothed band power
  // over min_window_ms, so a noise increase is tracked within about min_window_ms.
  float min_window_ms = 1500.0f;  // 400..5000 ms
  float min_bias = 1.5f;          // 1..8
  // The test uses the larger of that estimate and the mean band power of the frames that are
  // not speech (nor in hangover), averaged over this time constant: in fluctuating noise such
  // as babble the tracker follows the dips, the mean is what speech has to stand out from.
  float noise_average_ms = 300.0f;  // 20..5000 ms
  // Score: mean over bands of the generalised likelihood ratio g - 1 - ln g (Gaussian model,
  // maximum-likelihood speech power), g = max(1, mean band power of this and the previous frame /
  // noise).
  float score_smoothing = 0.5f;  // first-order smoothing of the score per frame, 0..0.95
  // Speech starts when the score exceeds on_threshold + on_noise_scale * Q and may end below
  // off_threshold + off_noise_scale * Q, where Q is the noise_score_quantile of the score over
  // all frames (tracked in the log domain by stochastic approximation, noise_score_step per
  // frame): speech rarely fills more than ~60% of a conversation, so Q measures how much the
  // noise at hand alone moves the score (steady noise ~0.01, babble ~0.3) and the thresholds
  // rise with it, roughly a constant false-alarm rate. Q never stops adapting, so a false
  // start in fluctuating noise cannot lock the detector in speech.
  float on_threshold = 0.1f;           // 0..100, >= off_threshold
  float off_threshold = 0.05f;         // 0..100
  float on_noise_scale = 5.0f;         // 0..20
  float off_noise_scale = 1.0f;        // 0..on_noise_scale
  float noise_score_quantile = 0.35f;  // 0.05..0.95
  float noise_score_step = 0.05f;      // log units per frame, 0.001..1
  // The first learning_ms from the first frame above min_level_dbfs on are taken as noise: the
  // mean noise power and the initial Q are plain averages over them, and they are not speech.
  // A stream that starts with speech therefore loses up to ~1.5 s of its first utterance.
  int learning_ms = 200;   // 0..2000 ms
  int min_speech_ms = 20;  // above on_threshold this long to start speech, 0..200 ms
  int hangover_ms = 80;    // speech continues this long below off_threshold, 0..1000 ms
  // Frames quieter than this (white-noise-equivalent level) are never speech.
  float min_level_dbfs = -70.0f;  // -120..-20 dBFS
  // Voicing gate (false: the detector above alone). Pitch strength v in [0, 1] per frame: peak
  // over lags 1/pitch_max_hz..1/pitch_min_hz of the autocorrelation of the magnitude spectrum
  // (pitch_min_hz..4 kHz; compressed, so one strong partial of a tonal noise does not dominate)
  // of a Hann window of 3 / pitch_min_hz s ending at the frame's end, divided by the window's
  // own autocorrelation (Boersma 1993).
  bool use_voicing = true;
  float pitch_min_hz = 65.0f;   // 40..200 Hz
  float pitch_max_hz = 400.0f;  // 2 * pitch_min_hz..1000 Hz
  // A frame is voiced when v, smoothed over ~3 frames, exceeds max(voicing_threshold,
  // V + voicing_margin), V the mean v of non-speech frames (1 s time constant). Where the noise is
  // itself periodic (V + voicing_margin > voicing_max) every frame counts as voiced.
  float voicing_threshold = 0.2f;  // 0..1
  float voicing_margin = 0.15f;    // 0..1
  float voicing_max = 0.6f;        // voicing_threshold..1
  // Speech starts at the normal threshold only within voicing_hold_ms of a voiced frame, and
  // continues at it only within voicing_keep_ms; otherwise both thresholds are multiplied by
  // unvoiced_on_factor (a loud unvoiced onset still starts speech).
  int voicing_hold_ms = 200;        // 10..2000 ms
  int voicing_keep_ms = 600;        // voicing_hold_ms..5000 ms
  float unvoiced_on_factor = 2.0f;  // 1..100

  int FrameSamples() const;
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

struct VadFrame {
  long long start_sample = 0;  // first sample of the frame since Reset
  bool speech = false;
  float score = 0.0f;    // smoothed mean generalised log-likelihood ratio (nats per band)
  float voicing = 0.0f;  // pitch strength (normalised autocorrelation peak), 0..1
};

struct VadEvent {
  enum class Type { kSpeechBegin, kSpeechEnd };
  Type type = Type::kSpeechBegin;
  // Begin: first sample of the first frame of the onset (min_speech_ms earlier than the frame
  // that confirmed it). End: one past the last sample of the last speech frame.
  long long sample = 0;
};

class Vad {
 public:
  static absl::StatusOr<std::unique_ptr<Vad>> Create(const VadConfig& config);

  // Appends one VadFrame per completed frame to `frames` and any events to `events` (either
  // may be null). Decisions depend only on the samples, never on how they were split.
  void Accept(std::span<const float> samples, std::vector<VadFrame>* frames,
              std::vector<VadEvent>* events);
  // End of input: a partial last frame is zero-padded and decided; an open speech segment ends
  // at the last received sample. Then resets.
  void Flush(std::vector<VadFrame>* frames, std::vector<VadEvent>* events);
  // Back to the state right after Create().
  void Reset();
  bool InSpeech() const;
  const VadConfig& config() const;

  ~Vad();

 private:
  struct Impl;
  explicit Vad(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_VAD_H_
