#include "dsp/stft.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::dsp {

absl::Status StftConfig::Validate() const {
  if (win_length < 1 || win_length > 65536) {
    return absl::InvalidArgumentError(
        absl::StrCat("StftConfig.win_length = ", win_length, " outside 1..65536"));
  }
  if (n_fft < 2 || n_fft < win_length || n_fft > 65536) {
    return absl::InvalidArgumentError(
        absl::StrCat("StftConfig.n_fft = ", n_fft, " outside max(2, win_length)..65536"));
  }
  if (hop < 1 || hop > win_length) {
    return absl::InvalidArgumentError(
        absl::StrCat("StftConfig.hop = ", hop, " outside 1..win_length (", win_length, ")"));
  }
  return absl::OkStatus();
}

std::string StftConfig::ToString() const {
  return absl::StrFormat("StftConfig(n_fft=%d, win_length=%d, hop=%d, window=%s, flush_pads=%s)",
                         n_fft, win_length, hop, std::string(WindowTypeName(window)),
                         flush_pads ? "true" : "false");
}

absl::StatusOr<std::unique_ptr<StftAnalyzer>> StftAnalyzer::Create(const StftConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(config.n_fft);
  if (!plan.ok()) return plan.status();
  return std::unique_ptr<StftAnalyzer>(new StftAnalyzer(config, *std::move(plan)));
}

StftAnalyzer::StftAnalyzer(const StftConfig& config, std::shared_ptr<const FftPlan> plan)
    : config_(config),
      plan_(std::move(plan)),
      window_(MakeWindow(config.window, config.win_length, /*periodic=*/true)),
      history_(4 * static_cast<std::size_t>(config.win_length), 0.0f),
      fft_in_(config.n_fft),
      fft_out_(config.num_bins()) {}

void StftAnalyzer::Reset() {
  head_ = 0;
  tail_ = 0;
  received_ = 0;
  emitted_ = 0;
}

int StftAnalyzer::SamplesUntilNextFrame() const { return config_.win_length - (tail_ - head_); }

long long StftAnalyzer::FramesCompletedBy(std::size_t num_samples) const {
  const long long total =
      static_cast<long long>(tail_ - head_) + static_cast<long long>(num_samples);
  if (total < config_.win_length) return 0;
  return (total - config_.win_length) / config_.hop + 1;
}

void StftAnalyzer::WindowFrame(std::span<const float> buffered, const float* fresh) {
  const int win = config_.win_length;
  const int split = static_cast<int>(buffered.size());
  float* __restrict dst = fft_in_.data();
  const float* __restrict w = window_.data();
  const float* __restrict old = buffered.data();
  for (int i = 0; i < split; ++i) dst[i] = old[i] * w[i];
  float* __restrict dst_fresh = dst + split;
  const float* __restrict w_fresh = w + split;
  for (int i = 0; i < win - split; ++i) dst_fresh[i] = fresh[i] * w_fresh[i];
}

void StftAnalyzer::Transform(std::complex<float>* out) {
  if (FftPlan::IsAligned(out)) {
    plan_->Forward(fft_in_.data(), out);
  } else {
    plan_->Forward(fft_in_, &fft_out_);
    std::copy(fft_out_.data(), fft_out_.data() + config_.num_bins(), out);
  }
}

template <typename OutFor>
long long StftAnalyzer::Process(std::span<const float> samples, OutFor out_for) {
  const int hop = config_.hop;
  const long long buffered = tail_ - head_;
  const long long frames = FramesCompletedBy(samples.size());
  for (long long t = 0; t < frames; ++t) {
    const long long start = t * hop;
    const long long split = std::clamp<long long>(buffered - start, 0, config_.win_length);
    const float* fresh = samples.data() + std::max<long long>(start - buffered, 0);
    WindowFrame(std::span<const float>(history_).subspan(head_ + std::min(start, buffered), split),
                fresh);
    Transform(out_for(t));
  }
  const long long next = frames * hop;
  if (next < buffered) {
    head_ += static_cast<int>(next);
    if (tail_ + samples.size() > history_.size()) {
      std::copy(history_.begin() + head_, history_.begin() + tail_, history_.begin());
      tail_ -= head_;
      head_ = 0;
    }
    std::copy(samples.begin(), samples.end(), history_.begin() + tail_);
    tail_ += static_cast<int>(samples.size());
  } else {
    const std::span<const float> rest = samples.subspan(next - buffered);
    std::copy(rest.begin(), rest.end(), history_.begin());
    head_ = 0;
    tail_ = static_cast<int>(rest.size());
  }
  received_ += static_cast<long long>(samples.size());
  emitted_ += frames;
  return frames;
}

void StftAnalyzer::Accept(std::span<const float> samples,
                          std::vector<std::complex<float>>* frames) {
  const std::size_t bins = config_.num_bins();
  const std::size_t first = frames->size();
  frames->resize(first + FramesCompletedBy(samples.size()) * bins);
  std::complex<float>* out = frames->data() + first;
  Process(samples, [out, bins](long long t) { return out + t * bins; });
}

absl::StatusOr<int> StftAnalyzer::AcceptInto(std::span<const float> samples,
                                             std::span<std::complex<float>> frames) {
  const std::size_t bins = config_.num_bins();
  const long long needed = FramesCompletedBy(samples.size());
  if (static_cast<long long>(frames.size()) < needed * static_cast<long long>(bins)) {
    return absl::InvalidArgumentError(
        absl::StrCat("StftAnalyzer::AcceptInto: ", samples.size(), " samples complete ", needed,
                     " frames of ", bins, " bins; the output holds ", frames.size(), " bins"));
  }
  std::complex<float>* out = frames.data();
  return static_cast<int>(Process(samples, [out, bins](long long t) { return out + t * bins; }));
}

void StftAnalyzer::Flush(std::vector<std::complex<float>>* frames) {
  if (config_.flush_pads) {
    const std::size_t bins = config_.num_bins();
    while (emitted_ * config_.hop < received_) {
      const int buffered = tail_ - head_;
      for (int i = 0; i < buffered; ++i) fft_in_[i] = history_[head_ + i] * window_[i];
      std::fill(fft_in_.data() + buffered, fft_in_.data() + config_.win_length, 0.0f);
      frames->resize(frames->size() + bins);
      Transform(frames->data() + frames->size() - bins);
      head_ += std::min(config_.hop, buffered);
      ++emitted_;
    }
  }
  Reset();
}

absl::StatusOr<std::unique_ptr<OverlapAddSynthesizer>> OverlapAddSynthesizer::Create(
    const StftConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(config.n_fft);
  if (!plan.ok()) return plan.status();
  std::unique_ptr<OverlapAddSynthesizer> synth(new OverlapAddSynthesizer(config, *std::move(plan)));
  for (int k = 0; k < config.hop; ++k) {
    double sum = 0.0;
    for (int i = k; i < config.win_length; i += config.hop) {
      sum += static_cast<double>(synth->window_[i]) * synth->window_[i];
    }
    if (sum < 1e-6) {
      return absl::InvalidArgumentError(absl::StrCat(
          config.ToString(), " cannot be inverted: window overlap sum is 0 at ", "offset ", k));
    }
    synth->inverse_norm_[k] = static_cast<float>(1.0 / (sum * config.n_fft));
  }
  return synth;
}

OverlapAddSynthesizer::OverlapAddSynthesizer(const StftConfig& config,
                                             std::shared_ptr<const FftPlan> plan)
    : config_(config),
      plan_(std::move(plan)),
      window_(MakeWindow(config.window, config.win_length, /*periodic=*/true)),
      inverse_norm_(config.hop, 0.0f),
      accumulator_(config.win_length, 0.0f),
      ifft_in_(config.num_bins()),
      ifft_out_(config.n_fft) {}

void OverlapAddSynthesizer::Reset() { std::fill(accumulator_.begin(), accumulator_.end(), 0.0f); }

void OverlapAddSynthesizer::Accept(std::span<const std::complex<float>> frame,
                                   std::vector<float>* out) {
  const int win = config_.win_length;
  const int hop = config_.hop;
  std::copy(frame.begin(), frame.begin() + config_.num_bins(), ifft_in_.data());
  plan_->Inverse(&ifft_in_, &ifft_out_);
  for (int i = 0; i < win; ++i) accumulator_[i] += ifft_out_[i] * window_[i];
  for (int k = 0; k < hop; ++k) out->push_back(accumulator_[k] * inverse_norm_[k]);
  std::copy(accumulator_.begin() + hop, accumulator_.end(), accumulator_.begin());
  std::fill(accumulator_.end() - hop, accumulator_.end(), 0.0f);
}

void OverlapAddSynthesizer::Flush(std::vector<float>* out) {
  const int hop = config_.hop;
  for (int i = 0; i < config_.win_length - hop; ++i) {
    out->push_back(accumulator_[i] * inverse_norm_[i % hop]);
  }
  Reset();
}

}  // namespace auris::dsp
