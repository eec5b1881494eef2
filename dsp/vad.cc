#include "dsp/vad.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dsp/fft_plan.h"
#include "dsp/stft.h"

namespace auris::dsp {
namespace {

constexpr int kSubwindows = 8;
constexpr float kMaxPosteriorSnr = 1e3f;
// Scores are tracked as log(score + kScoreOffset): scores of pure noise are ~1e-2.
constexpr float kScoreOffset = 1e-3f;
constexpr float kVoicingBandHz = 4000.0f;
constexpr float kNoiseVoicingMs = 1000.0f;
constexpr float kVoicingSmoothing = 0.6f;

absl::Status CheckRange(const char* field, double value, double lo, double hi,
                        const char* unit = "") {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("VadConfig.%s = %g outside %g..%g%s", field, value, lo, hi, unit));
}

float DbToPower(float db) { return std::pow(10.0f, db / 10.0f); }
float HzToMel(float hz) { return 2595.0f * std::log10(1.0f + hz / 700.0f); }
float MelToHz(float mel) { return 700.0f * (std::pow(10.0f, mel / 2595.0f) - 1.0f); }

}  // namespace

int VadConfig::FrameSamples() const {
  return static_cast<int>(std::lround(frame_ms * sample_rate_hz / 1000.0));
}

absl::Status VadConfig::Validate() const {
  absl::Status s = CheckRange("sample_rate_hz", sample_rate_hz, 8000, 48000, " Hz");
  if (s.ok()) s = CheckRange("frame_ms", frame_ms, 5.0, 30.0, " ms");
  if (s.ok()) s = CheckRange("num_bands", num_bands, 4, 64);
  if (s.ok()) s = CheckRange("min_hz", min_hz, 0.0, 1000.0, " Hz");
  if (s.ok()) s = CheckRange("max_hz", max_hz, 1000.0, 24000.0, " Hz");
  if (s.ok()) s = CheckRange("noise_time_constant_ms", noise_time_constant_ms, 20.0, 2000.0, " ms");
  if (s.ok()) s = CheckRange("noise_average_ms", noise_average_ms, 20.0, 5000.0, " ms");
  if (s.ok()) s = CheckRange("min_window_ms", min_window_ms, 400.0, 5000.0, " ms");
  if (s.ok()) s = CheckRange("min_bias", min_bias, 1.0, 8.0);
  if (s.ok()) s = CheckRange("score_smoothing", score_smoothing, 0.0, 0.95);
  if (s.ok()) s = CheckRange("off_threshold", off_threshold, 0.0, 100.0);
  if (s.ok()) s = CheckRange("on_threshold", on_threshold, off_threshold, 100.0);
  if (s.ok()) s = CheckRange("on_noise_scale", on_noise_scale, 0.0, 20.0);
  if (s.ok()) s = CheckRange("off_noise_scale", off_noise_scale, 0.0, on_noise_scale);
  if (s.ok()) s = CheckRange("noise_score_quantile", noise_score_quantile, 0.05, 0.95);
  if (s.ok()) s = CheckRange("noise_score_step", noise_score_step, 0.001, 1.0);
  if (s.ok()) s = CheckRange("learning_ms", learning_ms, 0, 2000, " ms");
  if (s.ok()) s = CheckRange("min_speech_ms", min_speech_ms, 0, 200, " ms");
  if (s.ok()) s = CheckRange("hangover_ms", hangover_ms, 0, 1000, " ms");
  if (s.ok()) s = CheckRange("min_level_dbfs", min_level_dbfs, -120.0, -20.0, " dBFS");
  if (s.ok()) s = CheckRange("pitch_min_hz", pitch_min_hz, 40.0, 200.0, " Hz");
  if (s.ok()) s = CheckRange("pitch_max_hz", pitch_max_hz, 2.0 * pitch_min_hz, 1000.0, " Hz");
  if (s.ok()) s = CheckRange("voicing_threshold", voicing_threshold, 0.0, 1.0);
  if (s.ok()) s = CheckRange("voicing_margin", voicing_margin, 0.0, 1.0);
  if (s.ok()) s = CheckRange("voicing_max", voicing_max, voicing_threshold, 1.0);
  if (s.ok()) s = CheckRange("voicing_hold_ms", voicing_hold_ms, 10, 2000, " ms");
  if (s.ok()) s = CheckRange("voicing_keep_ms", voicing_keep_ms, voicing_hold_ms, 5000, " ms");
  if (s.ok()) s = CheckRange("unvoiced_on_factor", unvoiced_on_factor, 1.0, 100.0);
  if (s.ok() && pitch_max_hz >= 0.5f * std::min(kVoicingBandHz, 0.5f * sample_rate_hz)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("VadConfig.pitch_max_hz = %g must be below half the voicing band (%g Hz)",
                        pitch_max_hz, 0.5f * std::min(kVoicingBandHz, 0.5f * sample_rate_hz)));
  }
  const float nyquist = 0.45f * sample_rate_hz;
  if (s.ok() && std::min(max_hz, nyquist) - min_hz < 500.0f) {
    return absl::InvalidArgumentError(absl::StrCat("VadConfig: band range ", min_hz, "..",
                                                   std::min(max_hz, nyquist),
                                                   " Hz must span at least 500 Hz"));
  }
  return s;
}

std::string VadConfig::ToString() const {
  return absl::StrFormat(
      "VadConfig(sample_rate_hz=%d, frame_ms=%g, num_bands=%d, min_hz=%g, max_hz=%g, "
      "noise_time_constant_ms=%g, noise_average_ms=%g, min_window_ms=%g, min_bias=%g, "
      "score_smoothing=%g, on_threshold=%g, off_threshold=%g, "
      "on_noise_scale=%g, off_noise_scale=%g, noise_score_quantile=%g, noise_score_step=%g, "
      "learning_ms=%d, min_speech_ms=%d, hangover_ms=%d, min_level_dbfs=%g, use_voicing=%d, "
      "pitch_min_hz=%g, pitch_max_hz=%g, voicing_threshold=%g, voicing_margin=%g, "
      "voicing_max=%g, voicing_hold_ms=%d, voicing_keep_ms=%d, unvoiced_on_factor=%g)",
      sample_rate_hz, frame_ms, num_bands, min_hz, max_hz, noise_time_constant_ms, noise_average_ms,
      min_window_ms, min_bias, score_smoothing, on_threshold, off_threshold, on_noise_scale,
      off_noise_scale, noise_score_quantile, noise_score_step, learning_ms, min_speech_ms,
      hangover_ms, min_level_dbfs, use_voicing, pitch_min_hz, pitch_max_hz, voicing_threshold,
      voicing_margin, voicing_max, voicing_hold_ms, voicing_keep_ms, unvoiced_on_factor);
}

struct Vad::Impl {
  VadConfig config;
  int hop = 0;
  int win = 0;
  int bands = 0;
  int subwindow_frames = 0;
  int min_speech_frames = 0;
  int hangover_frames = 0;
  int learning_frames = 0;
  float noise_alpha = 0.0f;
  float average_alpha = 0.0f;
  float min_frame_power = 0.0f;
  float band_floor = 0.0f;
  std::unique_ptr<StftAnalyzer> analyzer;
  std::vector<std::complex<float>> frame;  // (bins,)
  std::vector<int> band_edges;             // (bands + 1,) bin ranges [edge[b], edge[b+1])
  std::vector<float> power;                // (bands,) band power |X|^2 summed over bins
  std::vector<float> smoothed;             // (bands,) power smoothed in time
  std::vector<float> running_min;          // (bands,) minimum in the current subwindow
  std::vector<float> subwindow_min;        // (kSubwindows, bands)
  std::vector<float> tracked;              // (bands,) G&H / minimum-statistics noise PSD
  std::vector<float> averaged;             // (bands,) mean power of non-speech frames
  std::vector<float> noise;                // (bands,) max(tracked, averaged), used by the test
  std::vector<float> previous_power;       // (bands,) power of the previous frame
  std::vector<float> presence_avg;         // (bands,) smoothed speech presence probability
  // Voicing: the last voicing_window samples, their Hann-windowed FFT (size voicing_n), the
  // magnitude spectrum in [low_bin, m/2) inverse-transformed at size m = voicing_n / decimation,
  // i.e. a compressed autocorrelation at rate / decimation, divided by the window's own.
  int voicing_window = 0;
  int decimation = 1;
  int low_bin = 0;
  int min_lag = 0;  // decimated samples
  int max_lag = 0;
  int voicing_hold_frames = 0;
  int voicing_keep_frames = 0;
  float voicing_alpha = 0.0f;
  std::shared_ptr<const FftPlan> voicing_forward;
  std::shared_ptr<const FftPlan> voicing_inverse;
  std::vector<float> history;     // (voicing_window,) oldest first, ends at the frame's end
  std::vector<float> hann;        // (voicing_window,)
  std::vector<float> window_acf;  // (max_lag + 2,) window autocorrelation / its lag-0 value
  AlignedFloats voicing_in;       // (voicing_n,) windowed history, zero-padded
  AlignedComplex spectrum;        // (voicing_n / 2 + 1,)
  AlignedComplex band_power;      // (m / 2 + 1,)
  AlignedFloats acf;              // (m,)
  float noise_voicing = 0.0f;     // mean pitch strength of non-speech frames
  float recent_voicing = 0.0f;    // pitch strength smoothed over a few frames
  int frames_since_voiced = 0;
  float score = 0.0f;
  float noise_score = 0.0f;  // the score's noise_score_quantile
  float log_score_q = 0.0f;  // log(noise_score + kScoreOffset)
  bool in_speech = false;
  int above_run = 0;
  int hangover_left = 0;
  long long frames_done = 0;
  long long noise_frames = 0;  // frames since the first loud one
  long long received = 0;

  void ResetState();
  void Feed(std::span<const float> samples, std::vector<VadFrame>* frames,
            std::vector<VadEvent>* events);
  void ProcessFrame(std::vector<VadFrame>* frames, std::vector<VadEvent>* events);
  float MeanGeneralisedLlr();
  void TrackNoise(bool non_speech, bool learning);
  void PushHistory(std::span<const float> samples);
  float PitchStrength();
  void UpdateVoicingClock(float voicing);
  absl::Status InitVoicing();
};

absl::Status Vad::Impl::InitVoicing() {
  const int rate = config.sample_rate_hz;
  const float frame_ms = 1000.0f * hop / rate;
  voicing_hold_frames =
      std::max(1, static_cast<int>(std::lround(config.voicing_hold_ms / frame_ms)));
  voicing_keep_frames = std::max(voicing_hold_frames,
                                 static_cast<int>(std::lround(config.voicing_keep_ms / frame_ms)));
  voicing_alpha = std::exp(-frame_ms / kNoiseVoicingMs);
  if (!config.use_voicing) return absl::OkStatus();
  decimation = std::max(1, static_cast<int>(0.5f * rate / kVoicingBandHz));
  const int longest_lag = static_cast<int>(rate / config.pitch_min_hz);
  voicing_window = 3 * longest_lag;
  int m = 2;
  while (m * decimation < voicing_window + longest_lag) m *= 2;
  absl::StatusOr<std::shared_ptr<const FftPlan>> forward = FftPlan::Get(m * decimation);
  if (!forward.ok()) return forward.status();
  absl::StatusOr<std::shared_ptr<const FftPlan>> inverse = FftPlan::Get(m);
  if (!inverse.ok()) return inverse.status();
  voicing_forward = *std::move(forward);
  voicing_inverse = *std::move(inverse);
  const float decimated_rate = static_cast<float>(rate) / decimation;
  low_bin = static_cast<int>(std::ceil(config.pitch_min_hz * voicing_forward->size() / rate));
  min_lag = std::max(1, static_cast<int>(std::floor(decimated_rate / config.pitch_max_hz)));
  max_lag = static_cast<int>(std::ceil(decimated_rate / config.pitch_min_hz));
  history.assign(voicing_window, 0.0f);
  hann.resize(voicing_window);
  for (int i = 0; i < voicing_window; ++i) {
    hann[i] = 0.5f - 0.5f * std::cos(2.0f * static_cast<float>(M_PI) * i / voicing_window);
  }
  window_acf.assign(max_lag + 2, 0.0f);
  for (int lag = 0; lag <= max_lag + 1; ++lag) {
    double sum = 0.0;
    for (int i = 0; i + lag * decimation < voicing_window; ++i) {
      sum += double{hann[i]} * hann[i + lag * decimation];
    }
    window_acf[lag] = static_cast<float>(sum);
  }
  for (int lag = max_lag + 1; lag >= 0; --lag) window_acf[lag] /= window_acf[0];
  voicing_in = AlignedFloats(voicing_forward->size());
  spectrum = AlignedComplex(voicing_forward->num_bins());
  band_power = AlignedComplex(voicing_inverse->num_bins());
  acf = AlignedFloats(m);
  return absl::OkStatus();
}

void Vad::Impl::PushHistory(std::span<const float> samples) {
  if (!config.use_voicing) return;
  const std::size_t n = history.size();
  if (samples.size() >= n) {
    std::copy(samples.end() - n, samples.end(), history.begin());
    return;
  }
  std::copy(history.begin() + samples.size(), history.end(), history.begin());
  std::copy(samples.begin(), samples.end(), history.end() - samples.size());
}

float Vad::Impl::PitchStrength() {
  for (int i = 0; i < voicing_window; ++i) voicing_in[i] = hann[i] * history[i];
  voicing_forward->Forward(voicing_in, &spectrum);
  const int half = voicing_inverse->num_bins() - 1;
  for (int k = 0; k <= half; ++k) {
    band_power[k] = k >= low_bin && k < half ? std::abs(spectrum[k]) : 0.0f;
  }
  voicing_inverse->Inverse(&band_power, &acf);
  const float energy = acf[0];
  if (!(energy > 0.0f)) return 0.0f;
  int best_lag = min_lag;
  float best = -1.0f;
  for (int lag = min_lag; lag <= max_lag; ++lag) {
    const float r = acf[lag] / window_acf[lag];
    if (r > best) best = r, best_lag = lag;
  }
  const float left = acf[best_lag - 1] / window_acf[best_lag - 1];
  const float right = acf[best_lag + 1] / window_acf[best_lag + 1];
  const float curvature = left - 2.0f * best + right;
  if (curvature < 0.0f) best -= 0.125f * (right - left) * (right - left) / curvature;
  best /= energy;
  return std::clamp(best, 0.0f, 1.0f);
}

// Frames since the pitch strength (smoothed over a few frames) last exceeded the noise's by
// voicing_margin; held at 0 without the cue or when the noise is itself too periodic for it.
void Vad::Impl::UpdateVoicingClock(float voicing) {
  if (!config.use_voicing) {
    frames_since_voiced = 0;
    return;
  }
  const float needed = std::max(config.voicing_threshold, noise_voicing + config.voicing_margin);
  recent_voicing = kVoicingSmoothing * recent_voicing + (1.0f - kVoicingSmoothing) * voicing;
  if (needed > config.voicing_max || recent_voicing > needed) {
    frames_since_voiced = 0;
  } else if (frames_since_voiced < voicing_keep_frames) {
    ++frames_since_voiced;
  }
}

void Vad::Impl::ResetState() {
  analyzer->Reset();
  std::fill(subwindow_min.begin(), subwindow_min.end(), std::numeric_limits<float>::max());
  score = 0.0f;
  noise_score = 0.0f;
  log_score_q = std::log(kScoreOffset);
  std::fill(presence_avg.begin(), presence_avg.end(), 0.0f);
  std::fill(history.begin(), history.end(), 0.0f);
  noise_voicing = 0.0f;
  recent_voicing = 0.0f;
  frames_since_voiced = config.use_voicing ? voicing_keep_frames : 0;
  in_speech = false;
  above_run = 0;
  hangover_left = 0;
  frames_done = 0;
  noise_frames = 0;
  received = 0;
  const float zeros[64] = {};
  for (int left = win - hop; left > 0; left -= 64) {
    frame.clear();
    analyzer->Accept(std::span<const float>(zeros, std::min(left, 64)), &frame);
  }
}

float Vad::Impl::MeanGeneralisedLlr() {
  double sum = 0.0;
  for (int b = 0; b < bands; ++b) {
    const float mean_power = 0.5f * (previous_power[b] + power[b]);
    previous_power[b] = power[b];
    const float gamma = std::clamp(mean_power / noise[b], 1.0f, kMaxPosteriorSnr);
    sum += gamma - 1.0f - std::log(gamma);
  }
  return static_cast<float>(sum / bands);
}

// Gerkmann & Hendriks (2012): per-band speech presence probability from the a-posteriori SNR
// against the previous estimate, assuming kSpeechPriorSnrDb when speech is present; the update
// uses |Y|^2 clipped to kUpdateClipDb over the estimate. In bands where speech is unlikely the
// estimate is lower-bounded by the bias-compensated minimum-statistics minimum.
void Vad::Impl::TrackNoise(bool non_speech, bool learning) {
  constexpr float kSmooth = 0.7f;
  constexpr float kSpeechPriorSnrDb = 10.0f;
  constexpr float kUpdateClipDb = 15.0f;
  static const float xi_h1 = DbToPower(kSpeechPriorSnrDb);
  static const float clip = DbToPower(kUpdateClipDb);
  const float log_gain = xi_h1 / (1.0f + xi_h1);
  const int slot = static_cast<int>(noise_frames % subwindow_frames);
  const int ring = static_cast<int>((noise_frames / subwindow_frames) % kSubwindows);
  for (int b = 0; b < bands; ++b) {
    smoothed[b] = kSmooth * smoothed[b] + (1.0f - kSmooth) * power[b];
    running_min[b] = std::min(running_min[b], smoothed[b]);
    float minimum = running_min[b];
    for (int u = 0; u < kSubwindows; ++u) minimum = std::min(minimum, subwindow_min[u * bands + b]);
    const float clipped = std::min(power[b], clip * tracked[b]);
    float presence = 1.0f / (1.0f + (1.0f + xi_h1) * std::exp(-clipped / tracked[b] * log_gain));
    presence_avg[b] = 0.9f * presence_avg[b] + 0.1f * presence;
    if (presence_avg[b] > 0.99f) presence = std::min(presence, 0.99f);
    const float expected = (1.0f - presence) * clipped + presence * tracked[b];
    tracked[b] = noise_alpha * tracked[b] + (1.0f - noise_alpha) * expected;
    if (presence < 0.5f) tracked[b] = std::max(tracked[b], config.min_bias * minimum);
    tracked[b] = std::max(tracked[b], band_floor);
    const float bounded = std::min(power[b], clip * averaged[b]);
    if (learning) {
      averaged[b] += (bounded - averaged[b]) / static_cast<float>(noise_frames + 1);
    } else if (non_speech) {
      averaged[b] = average_alpha * averaged[b] + (1.0f - average_alpha) * bounded;
    }
    noise[b] = std::max(tracked[b], averaged[b]);
    if (slot == subwindow_frames - 1) {
      subwindow_min[ring * bands + b] = running_min[b];
      running_min[b] = smoothed[b];
    }
  }
}

void Vad::Impl::ProcessFrame(std::vector<VadFrame>* frames, std::vector<VadEvent>* events) {
  double total = 0.0;
  for (int b = 0; b < bands; ++b) {
    double p = 0.0;
    for (int k = band_edges[b]; k < band_edges[b + 1]; ++k) p += std::norm(frame[k]);
    power[b] = static_cast<float>(p);
    total += p;
  }
  const bool loud = total >= min_frame_power;
  if (noise_frames == 0 && loud) {
    for (int b = 0; b < bands; ++b) noise[b] = std::max(power[b], band_floor);
    tracked = noise;
    averaged = noise;
    smoothed = power;
    running_min = power;
    previous_power = power;
  }
  const bool learning = noise_frames < learning_frames;
  const float voicing = config.use_voicing ? PitchStrength() : 0.0f;
  bool above = false;
  bool sustained = false;
  if (noise_frames == 0 && !loud) {
    score = 0.0f;
  } else if (learning) {
    score = MeanGeneralisedLlr();
    TrackNoise(true, true);
    noise_score += (score - noise_score) / static_cast<float>(noise_frames + 1);
    noise_voicing += (voicing - noise_voicing) / static_cast<float>(noise_frames + 1);
    log_score_q = std::log(std::max(noise_score, 0.0f) + kScoreOffset);
    ++noise_frames;
  } else {
    const float llr = MeanGeneralisedLlr();
    score = config.score_smoothing * score + (1.0f - config.score_smoothing) * llr;
    const float on = config.on_threshold + config.on_noise_scale * noise_score;
    const float off = config.off_threshold + config.off_noise_scale * noise_score;
    UpdateVoicingClock(voicing);
    const bool may_start = frames_since_voiced < voicing_hold_frames;
    const bool may_continue = frames_since_voiced < voicing_keep_frames;
    above = loud && score > (may_start ? 1.0f : config.unvoiced_on_factor) * on;
    sustained = loud && score > (may_continue ? 1.0f : config.unvoiced_on_factor) * off;
    const bool noise_only = !in_speech && !(loud && score > off);
    if (noise_only) noise_voicing += (1.0f - voicing_alpha) * (voicing - noise_voicing);
    const float q = config.noise_score_quantile;
    const float step = config.noise_score_step;
    log_score_q += std::log(score + kScoreOffset) > log_score_q ? step * q : -step * (1.0f - q);
    noise_score = std::exp(log_score_q) - kScoreOffset;
    TrackNoise(noise_only, false);
    ++noise_frames;
  }
  const long long start = frames_done * hop;
  above_run = above ? above_run + 1 : 0;
  if (!in_speech && above_run >= min_speech_frames) {
    in_speech = true;
    hangover_left = hangover_frames;
    if (events != nullptr) {
      events->push_back({VadEvent::Type::kSpeechBegin, start - (min_speech_frames - 1) * hop});
    }
  } else if (in_speech) {
    if (sustained) {
      hangover_left = hangover_frames;
    } else if (hangover_left > 0) {
      --hangover_left;
    } else {
      in_speech = false;
      if (events != nullptr) events->push_back({VadEvent::Type::kSpeechEnd, start});
    }
  }
  if (frames != nullptr) frames->push_back({start, in_speech, score, voicing});
  ++frames_done;
}

void Vad::Impl::Feed(std::span<const float> samples, std::vector<VadFrame>* frames,
                     std::vector<VadEvent>* events) {
  while (!samples.empty()) {
    const std::size_t take =
        std::min<std::size_t>(samples.size(), analyzer->SamplesUntilNextFrame());
    frame.clear();
    PushHistory(samples.first(take));
    analyzer->Accept(samples.first(take), &frame);
    samples = samples.subspan(take);
    if (!frame.empty()) ProcessFrame(frames, events);
  }
}

Vad::Vad(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vad::~Vad() = default;

absl::StatusOr<std::unique_ptr<Vad>> Vad::Create(const VadConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->hop = config.FrameSamples();
  impl->win = 2 * impl->hop;
  StftConfig stft;
  stft.win_length = impl->win;
  stft.n_fft = impl->win;
  stft.hop = impl->hop;
  stft.window = WindowType::kHann;
  absl::StatusOr<std::unique_ptr<StftAnalyzer>> analyzer = StftAnalyzer::Create(stft);
  if (!analyzer.ok()) return analyzer.status();
  impl->analyzer = *std::move(analyzer);
  const int bins = stft.num_bins();
  impl->frame.reserve(bins);
  const float bin_hz = static_cast<float>(config.sample_rate_hz) / impl->win;
  const float lo = HzToMel(config.min_hz);
  const float hi = HzToMel(std::min(config.max_hz, 0.45f * config.sample_rate_hz));
  impl->band_edges.push_back(std::max(1, static_cast<int>(std::lround(config.min_hz / bin_hz))));
  for (int b = 1; b <= config.num_bands; ++b) {
    const float hz = MelToHz(lo + (hi - lo) * b / config.num_bands);
    const int edge = std::min(bins, static_cast<int>(std::lround(hz / bin_hz)));
    if (edge > impl->band_edges.back()) impl->band_edges.push_back(edge);
  }
  impl->bands = static_cast<int>(impl->band_edges.size()) - 1;
  for (auto* v : {&impl->power, &impl->smoothed, &impl->running_min, &impl->noise, &impl->tracked,
                  &impl->averaged, &impl->previous_power, &impl->presence_avg}) {
    v->assign(impl->bands, 0.0f);
  }
  impl->subwindow_min.assign(static_cast<std::size_t>(kSubwindows) * impl->bands, 0.0f);
  const float frame_ms = 1000.0f * impl->hop / config.sample_rate_hz;
  impl->subwindow_frames =
      std::max(1, static_cast<int>(std::lround(config.min_window_ms / frame_ms / kSubwindows)));
  impl->min_speech_frames =
      std::max(1, static_cast<int>(std::lround(config.min_speech_ms / frame_ms)));
  impl->learning_frames = static_cast<int>(std::lround(config.learning_ms / frame_ms));
  impl->hangover_frames = static_cast<int>(std::lround(config.hangover_ms / frame_ms));
  impl->noise_alpha = std::exp(-frame_ms / config.noise_time_constant_ms);
  impl->average_alpha = std::exp(-frame_ms / config.noise_average_ms);
  float window_energy = 0.0f;
  for (float w : impl->analyzer->window()) window_energy += w * w;
  const int used_bins = impl->band_edges.back() - impl->band_edges.front();
  impl->min_frame_power = DbToPower(config.min_level_dbfs) * window_energy * used_bins;
  impl->band_floor = DbToPower(-150.0f) * window_energy;
  if (absl::Status s = impl->InitVoicing(); !s.ok()) return s;
  impl->ResetState();
  return std::unique_ptr<Vad>(new Vad(std::move(impl)));
}

void Vad::Accept(std::span<const float> samples, std::vector<VadFrame>* frames,
                 std::vector<VadEvent>* events) {
  impl_->received += static_cast<long long>(samples.size());
  impl_->Feed(samples, frames, events);
}

void Vad::Flush(std::vector<VadFrame>* frames, std::vector<VadEvent>* events) {
  const float zeros[64] = {};
  const long long end = impl_->received;
  while (impl_->frames_done * impl_->hop < end) {
    const int need = std::min(impl_->analyzer->SamplesUntilNextFrame(), 64);
    impl_->Feed(std::span<const float>(zeros, need), frames, events);
  }
  if (impl_->in_speech && events != nullptr) {
    events->push_back({VadEvent::Type::kSpeechEnd, end});
  }
  Reset();
}

void Vad::Reset() { impl_->ResetState(); }

bool Vad::InSpeech() const { return impl_->in_speech; }

const VadConfig& Vad::config() const { return impl_->config; }

}  // namespace auris::dsp
