#include "dsp/feature_extractor.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::dsp {
namespace {

absl::Status OutOfRange(std::string field, double value, std::string range) {
  return absl::InvalidArgumentError(
      absl::StrCat("FeatureConfig.", field, " = ", value, " outside ", range));
}

}  // namespace

StftConfig FeatureConfig::stft_config() const {
  StftConfig c;
  c.n_fft = n_fft;
  c.win_length = frame_length;
  c.hop = hop;
  c.window = window;
  c.flush_pads = false;
  return c;
}

MelFilterbankConfig FeatureConfig::mel_config() const {
  MelFilterbankConfig c;
  c.sample_rate = sample_rate;
  c.n_fft = n_fft;
  c.n_mels = n_mels;
  c.fmin = fmin;
  c.fmax = fmax;
  c.scale = mel_scale;
  c.slaney_norm = slaney_norm;
  return c;
}

DeltaConfig FeatureConfig::delta_config() const {
  DeltaConfig c;
  c.dim = base_dim();
  c.order = delta_order;
  c.window = delta_window;
  return c;
}

CmvnConfig FeatureConfig::cmvn_config() const {
  CmvnConfig c;
  c.mode = cmvn;
  c.dim = feature_dim();
  if (cmvn == CmvnMode::kGlobal) {
    c.mean = cmvn_mean;
    c.std = cmvn_std;
  }
  return c;
}

absl::Status FeatureConfig::Validate() const {
  if (sample_rate < 1000 || sample_rate > 384000) {
    return OutOfRange("sample_rate", sample_rate, "1000..384000");
  }
  if (n_fft < 2 || n_fft > 65536) return OutOfRange("n_fft", n_fft, "2..65536");
  if (frame_length < 1 || frame_length > n_fft) {
    return OutOfRange("frame_length", frame_length, absl::StrCat("1..n_fft (", n_fft, ")"));
  }
  if (hop < 1 || hop > frame_length) {
    return OutOfRange("hop", hop, absl::StrCat("1..frame_length (", frame_length, ")"));
  }
  if (!(preemphasis >= 0.0f && preemphasis < 1.0f)) {
    return OutOfRange("preemphasis", preemphasis, "[0, 1)");
  }
  if (n_mels < 1 || n_mels > 1024) return OutOfRange("n_mels", n_mels, "1..1024");
  if (!(fmax > 0.0) || fmax > sample_rate / 2.0) {
    return OutOfRange("fmax", fmax, absl::StrCat("(0, sample_rate/2 = ", sample_rate / 2.0, "]"));
  }
  if (!(fmin >= 0.0) || fmin >= fmax) {
    return OutOfRange("fmin", fmin, absl::StrCat("[0, fmax = ", fmax, ")"));
  }
  if (!(log_floor > 0.0f)) return OutOfRange("log_floor", log_floor, "(0, inf)");
  if (n_ceps < 0 || n_ceps > n_mels) {
    return OutOfRange("n_ceps", n_ceps, absl::StrCat("0..n_mels (", n_mels, ")"));
  }
  if (!(cepstral_lifter >= 0.0f)) {
    return OutOfRange("cepstral_lifter", cepstral_lifter, "[0, inf)");
  }
  if (delta_order < 0 || delta_order > 2) return OutOfRange("delta_order", delta_order, "0..2");
  if (delta_window < 1 || delta_window > 10) {
    return OutOfRange("delta_window", delta_window, "1..10");
  }
  const std::size_t dim = feature_dim();
  if (cmvn == CmvnMode::kGlobal) {
    if (cmvn_mean.size() != dim) {
      return OutOfRange("cmvn_mean.size()", cmvn_mean.size(),
                        absl::StrCat("{feature_dim = ", dim, "}"));
    }
    if (cmvn_std.size() != dim) {
      return OutOfRange("cmvn_std.size()", cmvn_std.size(),
                        absl::StrCat("{feature_dim = ", dim, "}"));
    }
    for (std::size_t i = 0; i < dim; ++i) {
      if (!(cmvn_std[i] > 0.0f) || !std::isfinite(cmvn_std[i])) {
        return OutOfRange(absl::StrCat("cmvn_std[", i, "]"), cmvn_std[i], "(0, inf)");
      }
    }
  }
  if (absl::Status s = stft_config().Validate(); !s.ok()) return s;
  if (absl::Status s = mel_config().Validate(); !s.ok()) return s;
  return delta_config().Validate();
}

std::string FeatureConfig::ToString() const {
  return absl::StrFormat(
      "FeatureConfig(sample_rate=%d, frame_length=%d, hop=%d, n_fft=%d, window=%s, "
      "preemphasis=%g, n_mels=%d, mel_scale=%s, fmin=%g, fmax=%g, slaney_norm=%s, log_floor=%g, "
      "n_ceps=%d, cepstral_lifter=%g, delta_order=%d, delta_window=%d, cmvn=%s)",
      sample_rate, frame_length, hop, n_fft, std::string(WindowTypeName(window)), preemphasis,
      n_mels, mel_scale == MelScale::kHtk ? "htk" : "slaney", fmin, fmax,
      slaney_norm ? "true" : "false", log_floor, n_ceps, cepstral_lifter, delta_order, delta_window,
      std::string(CmvnModeName(cmvn)));
}

absl::StatusOr<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(
    const FeatureConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  std::unique_ptr<FeatureExtractor> fe(new FeatureExtractor(config));
  absl::StatusOr<std::unique_ptr<StftAnalyzer>> stft = StftAnalyzer::Create(config.stft_config());
  if (!stft.ok()) return stft.status();
  fe->stft_ = *std::move(stft);
  absl::StatusOr<std::unique_ptr<MelFilterbank>> mel = MelFilterbank::Create(config.mel_config());
  if (!mel.ok()) return mel.status();
  fe->mel_ = *std::move(mel);
  if (config.n_ceps > 0) {
    absl::StatusOr<std::unique_ptr<Dct>> dct = Dct::Create(config.n_mels, config.n_ceps);
    if (!dct.ok()) return dct.status();
    fe->dct_ = *std::move(dct);
  }
  absl::StatusOr<std::unique_ptr<DeltaFeatures>> deltas =
      DeltaFeatures::Create(config.delta_config());
  if (!deltas.ok()) return deltas.status();
  fe->deltas_ = *std::move(deltas);
  absl::StatusOr<std::unique_ptr<Cmvn>> cmvn = Cmvn::Create(config.cmvn_config());
  if (!cmvn.ok()) return cmvn.status();
  fe->cmvn_ = *std::move(cmvn);
  return fe;
}

absl::StatusOr<std::vector<float>> FeatureExtractor::Compute(const FeatureConfig& config,
                                                             std::span<const float> samples) {
  absl::StatusOr<std::unique_ptr<FeatureExtractor>> fe = Create(config);
  if (!fe.ok()) return fe.status();
  std::vector<float> features;
  (*fe)->Accept(samples, &features);
  (*fe)->Flush(&features);
  return features;
}

FeatureExtractor::FeatureExtractor(const FeatureConfig& config)
    : config_(config),
      lifter_(std::max(config.n_ceps, 0), 1.0f),
      emphasized_(config.hop),
      spectrum_(config.n_fft / 2 + 1),
      power_(config.n_fft / 2 + 1),
      log_mel_(config.n_mels),
      base_(config.base_dim()) {
  if (config.cepstral_lifter > 0.0f) {
    const double l = config.cepstral_lifter;
    for (int i = 0; i < config.n_ceps; ++i) {
      lifter_[i] = static_cast<float>(1.0 + 0.5 * l * std::sin(std::numbers::pi * i / l));
    }
  }
}

void FeatureExtractor::Reset() {
  stft_->Reset();
  deltas_->Reset();
  cmvn_->Reset();
  previous_sample_ = 0.0f;
}

void FeatureExtractor::Accept(std::span<const float> samples, std::vector<float>* features) {
  const std::size_t hop = config_.hop;
  const float a = config_.preemphasis;
  while (!samples.empty()) {
    const std::size_t n = std::min(samples.size(), hop);
    std::span<const float> block = samples.first(n);
    if (a > 0.0f) {
      for (std::size_t i = 0; i < n; ++i) {
        emphasized_[i] = block[i] - a * previous_sample_;
        previous_sample_ = block[i];
      }
      block = std::span<const float>(emphasized_).first(n);
    }
    // At most hop samples complete at most one frame, which spectrum_ holds.
    if (*stft_->AcceptInto(block, spectrum_.span()) > 0) ProcessFrame(spectrum_.span(), features);
    samples = samples.subspan(n);
  }
}

void FeatureExtractor::ProcessFrame(std::span<const std::complex<float>> spectrum,
                                    std::vector<float>* features) {
  for (std::size_t k = 0; k < power_.size(); ++k) power_[k] = std::norm(spectrum[k]);
  mel_->Apply(power_, log_mel_);
  for (float& v : log_mel_) v = std::log(std::max(v, config_.log_floor));
  if (dct_ != nullptr) {
    dct_->Apply(log_mel_, base_);
    for (std::size_t i = 0; i < base_.size(); ++i) base_[i] *= lifter_[i];
  } else {
    std::copy(log_mel_.begin(), log_mel_.end(), base_.begin());
  }
  const std::size_t start = features->size();
  deltas_->Accept(base_, features);
  cmvn_->Apply(std::span<float>(*features).subspan(start));
}

void FeatureExtractor::Flush(std::vector<float>* features) {
  const std::size_t start = features->size();
  deltas_->Flush(features);
  cmvn_->Apply(std::span<float>(*features).subspan(start));
  Reset();
}

}  // namespace auris::dsp
