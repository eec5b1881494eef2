#include "dsp/delta_features.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::dsp {

absl::Status DeltaConfig::Validate() const {
  if (dim < 1 || dim > 4096) {
    return absl::InvalidArgumentError(absl::StrCat("DeltaConfig.dim = ", dim, " outside 1..4096"));
  }
  if (order < 0 || order > 2) {
    return absl::InvalidArgumentError(absl::StrCat("DeltaConfig.order = ", order, " outside 0..2"));
  }
  if (window < 1 || window > 10) {
    return absl::InvalidArgumentError(
        absl::StrCat("DeltaConfig.window = ", window, " outside 1..10"));
  }
  return absl::OkStatus();
}

std::string DeltaConfig::ToString() const {
  return absl::StrFormat("DeltaConfig(dim=%d, order=%d, window=%d)", dim, order, window);
}

absl::StatusOr<std::unique_ptr<DeltaFeatures>> DeltaFeatures::Create(const DeltaConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  return std::unique_ptr<DeltaFeatures>(new DeltaFeatures(config));
}

DeltaFeatures::DeltaFeatures(const DeltaConfig& config)
    : config_(config),
      capacity_(2 * config.order * config.window + 1),
      history_(static_cast<std::size_t>(capacity_) * config.dim, 0.0f),
      delta1_(static_cast<std::size_t>(2 * config.window + 1) * config.dim, 0.0f) {
  int sum_squares = 0;
  for (int n = 1; n <= config.window; ++n) sum_squares += n * n;
  inverse_denominator_ = 1.0f / static_cast<float>(2 * sum_squares);
}

void DeltaFeatures::Reset() {
  received_ = 0;
  emitted_ = 0;
}

const float* DeltaFeatures::Row(long long t, long long last) const {
  const long long i = std::clamp(t, 0LL, last);
  return history_.data() + static_cast<std::size_t>(i % capacity_) * config_.dim;
}

void DeltaFeatures::ComputeDelta1(long long t, long long last, float* delta) const {
  t = std::clamp(t, 0LL, last);
  const int dim = config_.dim;
  std::fill(delta, delta + dim, 0.0f);
  for (int n = 1; n <= config_.window; ++n) {
    const float* next = Row(t + n, last);
    const float* previous = Row(t - n, last);
    const float weight = static_cast<float>(n);
    for (int j = 0; j < dim; ++j) delta[j] += weight * (next[j] - previous[j]);
  }
  for (int j = 0; j < dim; ++j) delta[j] *= inverse_denominator_;
}

void DeltaFeatures::EmitRow(long long t, long long last, std::vector<float>* out) {
  const int dim = config_.dim;
  const int window = config_.window;
  const std::size_t start = out->size();
  out->resize(start + config_.output_dim());
  float* row = out->data() + start;
  std::copy(Row(t, last), Row(t, last) + dim, row);
  if (config_.order == 1) ComputeDelta1(t, last, row + dim);
  if (config_.order == 2) {
    float* d1 = delta1_.data();
    for (int i = -window; i <= window; ++i) {
      ComputeDelta1(t + i, last, d1 + static_cast<std::size_t>(i + window) * dim);
    }
    std::copy(d1 + static_cast<std::size_t>(window) * dim,
              d1 + static_cast<std::size_t>(window + 1) * dim, row + dim);
    float* d2 = row + 2 * dim;
    std::fill(d2, d2 + dim, 0.0f);
    for (int n = 1; n <= window; ++n) {
      const float* next = d1 + static_cast<std::size_t>(window + n) * dim;
      const float* previous = d1 + static_cast<std::size_t>(window - n) * dim;
      const float weight = static_cast<float>(n);
      for (int j = 0; j < dim; ++j) d2[j] += weight * (next[j] - previous[j]);
    }
    for (int j = 0; j < dim; ++j) d2[j] *= inverse_denominator_;
  }
  ++emitted_;
}

void DeltaFeatures::Accept(std::span<const float> frame, std::vector<float>* out) {
  std::copy(frame.begin(), frame.begin() + config_.dim,
            history_.begin() + static_cast<std::size_t>(received_ % capacity_) * config_.dim);
  ++received_;
  const long long ready = received_ - config_.lookahead_frames();
  if (emitted_ < ready) EmitRow(emitted_, received_ - 1, out);
}

void DeltaFeatures::Flush(std::vector<float>* out) {
  while (emitted_ < received_) EmitRow(emitted_, received_ - 1, out);
  Reset();
}

}  // namespace auris::dsp
