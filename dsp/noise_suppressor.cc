#include "dsp/noise_suppressor.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dsp/snr_estimator.h"
#include "dsp/stft.h"

namespace auris::dsp {
namespace {

constexpr int kMinSubwindows = 8;
// The minimum-statistics bound is applied only in bins whose speech presence probability in
// this frame is below this value (speech-absence gating, cf. Cohen's IMCRA).
constexpr float kBoundPresence = 0.5f;

absl::Status CheckRange(std::string_view field, double value, double lo, double hi,
                        std::string_view unit = "") {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("NoiseSuppressorConfig.%s = %g outside %g..%g%s", std::string(field), value,
                      lo, hi, std::string(unit)));
}

float DbToPower(float db) { return std::pow(10.0f, db / 10.0f); }

// Exponential integral E1(x), x > 0: power series below 1, Lentz continued fraction above.
double ExpInt1(double x) {
  if (x <= 0.0) return std::numeric_limits<double>::infinity();
  if (x < 1.0) {
    double sum = 0.0;
    double term = 1.0;
    for (int k = 1; k < 30; ++k) {
      term *= -x / k;
      sum += term / k;
      if (std::abs(term) < 1e-12) break;
    }
    return -std::numbers::egamma - std::log(x) - sum;
  }
  if (x > 60.0) return 0.0;
  constexpr double kTiny = 1e-30;
  double b = x + 1.0;
  double c = 1.0 / kTiny;
  double d = 1.0 / b;
  double h = d;
  for (int i = 1; i < 100; ++i) {
    const double a = -static_cast<double>(i) * i;
    b += 2.0;
    d = 1.0 / (a * d + b);
    c = b + a / c;
    const double del = c * d;
    h *= del;
    if (std::abs(del - 1.0) < 1e-10) break;
  }
  return h * std::exp(-x);
}

}  // namespace

absl::Status NoiseSuppressorConfig::Validate() const {
  absl::Status s = CheckRange("sample_rate_hz", sample_rate_hz, 8000, 48000, " Hz");
  if (s.ok()) s = CheckRange("frame_ms", frame_ms, 4.0, 100.0, " ms");
  if (s.ok()) s = CheckRange("hop_ms", hop_ms, 2.0, 50.0, " ms");
  if (s.ok() && std::abs(frame_ms - 2.0f * hop_ms) > 1e-3f) {
    return absl::InvalidArgumentError(absl::StrCat("NoiseSuppressorConfig.hop_ms = ", hop_ms,
                                                   " must be frame_ms / 2 (", frame_ms / 2.0f,
                                                   ") for sqrt-Hann overlap-add"));
  }
  if (s.ok() && (static_cast<int>(std::lround(frame_ms * sample_rate_hz / 1000.0)) % 2 != 0)) {
    return absl::InvalidArgumentError(absl::StrCat("NoiseSuppressorConfig.frame_ms = ", frame_ms,
                                                   " must give an even number of samples at ",
                                                   sample_rate_hz, " Hz"));
  }
  if (s.ok()) s = CheckRange("min_gain_db", min_gain_db, -40.0, 0.0, " dB");
  if (s.ok()) s = CheckRange("dd_alpha", dd_alpha, 0.5, 0.999);
  if (s.ok()) s = CheckRange("min_prior_snr_db", min_prior_snr_db, -40.0, 0.0, " dB");
  if (s.ok()) s = CheckRange("speech_prior_snr_db", speech_prior_snr_db, 0.0, 30.0, " dB");
  if (s.ok()) s = CheckRange("noise_time_constant_ms", noise_time_constant_ms, 10.0, 1000.0);
  if (s.ok()) {
    s = CheckRange("gain_noise_time_constant_ms", gain_noise_time_constant_ms, 0.0, 5000.0, " ms");
  }
  if (s.ok()) s = CheckRange("noise_update_clip_db", noise_update_clip_db, 3.0, 40.0, " dB");
  if (s.ok()) s = CheckRange("min_window_ms", min_window_ms, 400.0, 5000.0, " ms");
  if (s.ok()) s = CheckRange("min_bias", min_bias, 0.0, 4.0);
  if (s.ok()) s = CheckRange("noise_floor_dbfs", noise_floor_dbfs, -150.0, -40.0, " dBFS");
  if (s.ok()) s = CheckRange("target_snr_db", target_snr_db, 20.0, 100.0, " dB");
  if (s.ok()) s = CheckRange("snr_window_ms", snr_window_ms, 500.0, 30000.0, " ms");
  return s;
}

std::string NoiseSuppressorConfig::ToString() const {
  return absl::StrFormat(
      "NoiseSuppressorConfig(sample_rate_hz=%d, frame_ms=%g, hop_ms=%g, min_gain_db=%g, "
      "dd_alpha=%g, min_prior_snr_db=%g, speech_prior_snr_db=%g, noise_time_constant_ms=%g, "
      "gain_noise_time_constant_ms=%g, noise_update_clip_db=%g, min_window_ms=%g, min_bias=%g, "
      "noise_floor_dbfs=%g, target_snr_db=%g, snr_window_ms=%g)",
      sample_rate_hz, frame_ms, hop_ms, min_gain_db, dd_alpha, min_prior_snr_db,
      speech_prior_snr_db, noise_time_constant_ms, gain_noise_time_constant_ms,
      noise_update_clip_db, min_window_ms, min_bias, noise_floor_dbfs, target_snr_db,
      snr_window_ms);
}

struct NoiseSuppressor::Impl {
  NoiseSuppressorConfig config;
  int win = 0;
  int hop = 0;
  int bins = 0;
  int subwindow_frames = 0;
  int num_subwindows = 0;
  float window_energy = 0.0f;
  float noise_floor = 0.0f;
  float noise_alpha = 0.0f;
  float gain_noise_alpha = 0.0f;
  float min_xi = 0.0f;
  float xi_h1 = 0.0f;
  float clip = 0.0f;
  std::unique_ptr<StftAnalyzer> analyzer;
  std::unique_ptr<OverlapAddSynthesizer> synthesizer;
  std::unique_ptr<FrameEnergySnrEstimator> snr_estimator;
  std::vector<std::complex<float>> frame;  // (bins,)
  std::vector<float> power;                // (bins,) |Y|^2
  std::vector<float> spread;               // (bins,) |Y|^2 smoothed over 3 bins
  std::vector<float> smoothed;             // (bins,) spread, recursively smoothed in time
  std::vector<float> running_min;          // (bins,) minimum in the current subwindow
  std::vector<float> subwindow_min;        // (num_subwindows, bins)
  std::vector<float> noise;                // (bins,) tracker's noise PSD estimate
  std::vector<float> gain_noise;           // (bins,) noise, smoothed over time; used by the gain
  std::vector<float> ratio_db;             // (bins,) scratch: |log10 noise / gain_noise|
  std::vector<float> presence_avg;         // (bins,) smoothed speech presence probability
  std::vector<float> prev_clean_power;     // (bins,) |G Y|^2 of the previous frame
  int follow_hold_frames = 0;  // frames the gain's noise copies the tracker after a change
  int follow_frames = 0;       // of those, still to go
  long long frames = 0;
  long long received = 0;
  long long produced = 0;

  void ResetState();
  void Feed(std::span<const float> input, std::vector<float>* out);
  void ProcessFrame(std::vector<float>* out);
  void TrackNoise();
  void SmoothGainNoise();
  float GainFloor();
};

void NoiseSuppressor::Impl::ResetState() {
  analyzer->Reset();
  synthesizer->Reset();
  snr_estimator->Reset();
  std::fill(presence_avg.begin(), presence_avg.end(), 0.0f);
  std::fill(subwindow_min.begin(), subwindow_min.end(), std::numeric_limits<float>::max());
  follow_frames = 0;
  frames = 0;
  received = 0;
  produced = 0;
  const float zeros[64] = {};
  for (int left = win - hop; left > 0; left -= 64) {
    frame.clear();
    analyzer->Accept(std::span<const float>(zeros, std::min(left, 64)), &frame);
  }
}

void NoiseSuppressor::Impl::TrackNoise() {
  if (frames == 0) {
    smoothed = spread;
    running_min = spread;
    for (int k = 0; k < bins; ++k) noise[k] = std::max(spread[k], noise_floor);
    for (int k = 0; k < bins; ++k) prev_clean_power[k] = power[k];
    gain_noise = noise;
  }
  constexpr float kSmooth = 0.8f;
  const int slot = static_cast<int>(frames % subwindow_frames);
  const bool subwindow_done = slot == subwindow_frames - 1;
  const int ring = static_cast<int>((frames / subwindow_frames) % num_subwindows);
  const float log_gain = xi_h1 / (1.0f + xi_h1);
  for (int k = 0; k < bins; ++k) {
    smoothed[k] = kSmooth * smoothed[k] + (1.0f - kSmooth) * spread[k];
    running_min[k] = std::min(running_min[k], smoothed[k]);
    float minimum = running_min[k];
    for (int u = 0; u < num_subwindows; ++u) {
      minimum = std::min(minimum, subwindow_min[u * bins + k]);
    }
    const float clipped = std::min(power[k], clip * noise[k]);
    float presence = 1.0f / (1.0f + (1.0f + xi_h1) * std::exp(-clipped / noise[k] * log_gain));
    presence_avg[k] = 0.9f * presence_avg[k] + 0.1f * presence;
    if (presence_avg[k] > 0.99f) presence = std::min(presence, 0.99f);
    const float expected = (1.0f - presence) * clipped + presence * noise[k];
    noise[k] = noise_alpha * noise[k] + (1.0f - noise_alpha) * expected;
    if (presence < kBoundPresence) noise[k] = std::max(noise[k], config.min_bias * minimum);
    noise[k] = std::max(noise[k], noise_floor);
    if (subwindow_done) {
      subwindow_min[ring * bins + k] = running_min[k];
      running_min[k] = smoothed[k];
    }
  }
  SmoothGainNoise();
}

// The gain's noise spectrum follows the tracker slowly (steady for fluctuating noise such as
// babble) unless the median over bins of the tracker-to-smoothed ratio exceeds kLevelChangeDb:
// most of the spectrum moving together is a change of noise, while speech and babble move a few
// formant regions at a time. Then it takes the tracker's estimate as it is for the next
// kFollowHoldMs of frames in which the median ratio is within kCaughtUpDb, so it keeps up while
// the tracker is still climbing.
void NoiseSuppressor::Impl::SmoothGainNoise() {
  for (int k = 0; k < bins; ++k) ratio_db[k] = std::abs(std::log10(noise[k] / gain_noise[k]));
  const auto middle = ratio_db.begin() + bins / 2;
  std::nth_element(ratio_db.begin(), middle, ratio_db.end());
  const float change_db = 10.0f * *middle;
  constexpr float kLevelChangeDb = 1.5f;
  constexpr float kCaughtUpDb = 0.5f;
  if (change_db > kLevelChangeDb) follow_frames = follow_hold_frames;
  if (follow_frames > 0 && change_db < kCaughtUpDb) --follow_frames;
  const float alpha = follow_frames > 0 ? 0.0f : gain_noise_alpha;
  for (int k = 0; k < bins; ++k) {
    gain_noise[k] = alpha * gain_noise[k] + (1.0f - alpha) * noise[k];
  }
}

// Gain floor for this frame: the configured floor, raised so that the attenuation never exceeds
// what brings the noise target_snr_db below the speech peaks ("do little to clean audio").
float NoiseSuppressor::Impl::GainFloor() {
  double energy = 0.0;
  for (int k = 0; k < bins; ++k) energy += power[k];
  const float snr_db = snr_estimator->Update(static_cast<float>(energy));
  const float max_attenuation_db =
      std::clamp(config.target_snr_db - snr_db, 0.0f, -config.min_gain_db);
  return std::pow(10.0f, -max_attenuation_db / 20.0f);
}

void NoiseSuppressor::Impl::ProcessFrame(std::vector<float>* out) {
  for (int k = 0; k < bins; ++k) power[k] = std::norm(frame[k]);
  for (int k = 0; k < bins; ++k) {
    const float below = power[std::max(k - 1, 0)];
    const float above = power[std::min(k + 1, bins - 1)];
    spread[k] = 0.25f * below + 0.5f * power[k] + 0.25f * above;
  }
  TrackNoise();
  const float floor = GainFloor();
  constexpr float kMaxPosteriorSnr = 1e4f;
  for (int k = 0; k < bins; ++k) {
    const float posterior = std::min(power[k] / gain_noise[k], kMaxPosteriorSnr);
    float prior = config.dd_alpha * prev_clean_power[k] / gain_noise[k] +
                  (1.0f - config.dd_alpha) * std::max(posterior - 1.0f, 0.0f);
    prior = std::max(prior, min_xi);
    const float wiener = prior / (1.0f + prior);
    const double v = std::max(static_cast<double>(wiener) * posterior, 1e-10);
    float gain = static_cast<float>(wiener * std::exp(0.5 * ExpInt1(v)));
    gain = std::clamp(gain, floor, 1.0f);
    prev_clean_power[k] = gain * gain * power[k];
    frame[k] *= gain;
  }
  ++frames;
  synthesizer->Accept(frame, out);
  produced += hop;
}

void NoiseSuppressor::Impl::Feed(std::span<const float> input, std::vector<float>* out) {
  while (!input.empty()) {
    const std::size_t take = std::min<std::size_t>(input.size(), analyzer->SamplesUntilNextFrame());
    frame.clear();
    analyzer->Accept(input.first(take), &frame);
    input = input.subspan(take);
    if (!frame.empty()) ProcessFrame(out);
  }
}

NoiseSuppressor::NoiseSuppressor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NoiseSuppressor::~NoiseSuppressor() = default;

absl::StatusOr<std::unique_ptr<NoiseSuppressor>> NoiseSuppressor::Create(
    const NoiseSuppressorConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->win = static_cast<int>(std::lround(config.frame_ms * config.sample_rate_hz / 1000.0));
  impl->hop = impl->win / 2;
  impl->bins = impl->win / 2 + 1;
  StftConfig stft;
  stft.n_fft = impl->win;
  stft.win_length = impl->win;
  stft.hop = impl->hop;
  stft.window = WindowType::kSqrtHann;
  absl::StatusOr<std::unique_ptr<StftAnalyzer>> analyzer = StftAnalyzer::Create(stft);
  if (!analyzer.ok()) return analyzer.status();
  absl::StatusOr<std::unique_ptr<OverlapAddSynthesizer>> synthesizer =
      OverlapAddSynthesizer::Create(stft);
  if (!synthesizer.ok()) return synthesizer.status();
  impl->analyzer = *std::move(analyzer);
  impl->synthesizer = *std::move(synthesizer);
  const int bins = impl->bins;
  impl->frame.reserve(bins);
  for (auto* v :
       {&impl->power, &impl->spread, &impl->smoothed, &impl->running_min, &impl->noise,
        &impl->gain_noise, &impl->ratio_db, &impl->presence_avg, &impl->prev_clean_power}) {
    v->assign(bins, 0.0f);
  }
  const float hop_ms = 1000.0f * impl->hop / config.sample_rate_hz;
  const int window_frames =
      std::max(kMinSubwindows, static_cast<int>(std::lround(config.min_window_ms / hop_ms)));
  impl->num_subwindows = kMinSubwindows;
  impl->subwindow_frames = std::max(1, window_frames / kMinSubwindows);
  impl->subwindow_min.assign(static_cast<std::size_t>(impl->num_subwindows) * bins, 0.0f);
  for (float w : impl->analyzer->window()) impl->window_energy += w * w;
  impl->noise_floor = DbToPower(config.noise_floor_dbfs) * impl->window_energy;
  impl->noise_alpha = std::exp(-hop_ms / config.noise_time_constant_ms);
  constexpr float kFollowHoldMs = 1000.0f;
  impl->follow_hold_frames = static_cast<int>(std::lround(kFollowHoldMs / hop_ms));
  impl->gain_noise_alpha = config.gain_noise_time_constant_ms > 0.0f
                               ? std::exp(-hop_ms / config.gain_noise_time_constant_ms)
                               : 0.0f;
  impl->snr_estimator = std::make_unique<FrameEnergySnrEstimator>(
      std::max(1, static_cast<int>(std::lround(config.snr_window_ms / hop_ms))),
      impl->noise_floor * static_cast<float>(bins));
  impl->min_xi = DbToPower(config.min_prior_snr_db);
  impl->xi_h1 = DbToPower(config.speech_prior_snr_db);
  impl->clip = DbToPower(config.noise_update_clip_db);
  impl->ResetState();
  return std::unique_ptr<NoiseSuppressor>(new NoiseSuppressor(std::move(impl)));
}

void NoiseSuppressor::Accept(std::span<const float> input, std::vector<float>* out) {
  impl_->received += static_cast<long long>(input.size());
  impl_->Feed(input, out);
}

void NoiseSuppressor::Flush(std::vector<float>* out) {
  const long long target = impl_->received + DelaySamples();
  const float zeros[64] = {};
  while (impl_->produced < target) {
    const int need = std::min(impl_->analyzer->SamplesUntilNextFrame(), 64);
    impl_->Feed(std::span<const float>(zeros, need), out);
  }
  out->resize(out->size() - static_cast<std::size_t>(impl_->produced - target));
  Reset();
}

void NoiseSuppressor::Reset() { impl_->ResetState(); }

int NoiseSuppressor::DelaySamples() const { return impl_->win - impl_->hop; }

const NoiseSuppressorConfig& NoiseSuppressor::config() const { return impl_->config; }

float NoiseSuppressor::NoiseLevelDb() const {
  double sum = 0.0;
  for (float v : impl_->gain_noise) sum += v;
  const double mean = sum / impl_->bins / impl_->window_energy;
  return static_cast<float>(10.0 * std::log10(std::max(mean, 1e-30)));
}

std::span<const float> NoiseSuppressor::NoisePsd() const { return impl_->gain_noise; }

}  // namespace auris::dsp
