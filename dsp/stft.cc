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
      pending_(config.win_length, 0.0f),
      fft_in_(config.n_fft),
      fft_out_(config.num_bins()) {}

void StftAnalyzer::Reset() {
  pending_size_ = 0;
  received_ = 0;
  emitted_ = 0;
}

int StftAnalyzer::SamplesUntilNextFrame() const { return config_.win_length - pending_size_; }

void StftAnalyzer::EmitFrame(std::vector<std::complex<float>>* frames) {
  const int win = config_.win_length;
  for (int i = 0; i < win; ++i) fft_in_[i] = pending_[i] * window_[i];
  plan_->Forward(fft_in_, &fft_out_);
  frames->insert(frames->end(), fft_out_.data(), fft_out_.data() + config_.num_bins());
  ++emitted_;
  const int keep = win - config_.hop;
  std::copy(pending_.begin() + config_.hop, pending_.begin() + win, pending_.begin());
  pending_size_ = keep;
}

void StftAnalyzer::Accept(std::span<const float> samples,
                          std::vector<std::complex<float>>* frames) {
  received_ += static_cast<long long>(samples.size());
  while (!samples.empty()) {
    const int take =
        static_cast<int>(std::min<std::size_t>(samples.size(), SamplesUntilNextFrame()));
    std::copy(samples.begin(), samples.begin() + take, pending_.begin() + pending_size_);
    pending_size_ += take;
    samples = samples.subspan(take);
    if (pending_size_ == config_.win_length) EmitFrame(frames);
  }
}

void StftAnalyzer::Flush(std::vector<std::complex<float>>* frames) {
  if (config_.flush_pads) {
    while (emitted_ * config_.hop < received_) {
      std::fill(pending_.begin() + pending_size_, pending_.end(), 0.0f);
      pending_size_ = config_.win_length;
      EmitFrame(frames);
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
