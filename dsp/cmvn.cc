#include "dsp/cmvn.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace auris::dsp {

std::string_view CmvnModeName(CmvnMode mode) {
  switch (mode) {
    case CmvnMode::kNone:
      return "none";
    case CmvnMode::kGlobal:
      return "global";
    case CmvnMode::kRunningMean:
      return "running_mean";
  }
  return "?";
}

absl::Status CmvnConfig::Validate() const {
  if (dim < 1) return absl::InvalidArgumentError(absl::StrCat("CmvnConfig.dim = ", dim, " < 1"));
  if (mode != CmvnMode::kGlobal) return absl::OkStatus();
  const std::size_t n = dim;
  if (mean.size() != n || std.size() != n) {
    return absl::InvalidArgumentError(absl::StrCat("CmvnConfig.mean/std hold ", mean.size(), "/",
                                                   std.size(), " values, not dim = ", dim));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!(std[i] > 0.0f) || !std::isfinite(std[i]) || !std::isfinite(mean[i])) {
      return absl::InvalidArgumentError(absl::StrCat("CmvnConfig: std[", i, "] = ", std[i],
                                                     " must be in (0, inf) and mean[", i,
                                                     "] = ", mean[i], " finite"));
    }
  }
  return absl::OkStatus();
}

std::string CmvnConfig::ToString() const {
  return absl::StrCat("CmvnConfig(mode=", std::string(CmvnModeName(mode)), ", dim=", dim, ")");
}

absl::StatusOr<std::unique_ptr<Cmvn>> Cmvn::Create(const CmvnConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  return std::unique_ptr<Cmvn>(new Cmvn(config));
}

Cmvn::Cmvn(const CmvnConfig& config)
    : config_(config),
      inverse_std_(config.mode == CmvnMode::kGlobal ? config.dim : 0),
      running_sum_(config.mode == CmvnMode::kRunningMean ? config.dim : 0, 0.0) {
  for (std::size_t i = 0; i < inverse_std_.size(); ++i) inverse_std_[i] = 1.0f / config.std[i];
}

void Cmvn::Reset() {
  std::fill(running_sum_.begin(), running_sum_.end(), 0.0);
  running_count_ = 0;
}

void Cmvn::Apply(std::span<float> rows) {
  if (config_.mode == CmvnMode::kNone) return;
  const std::size_t dim = config_.dim;
  for (std::size_t row = 0; row + dim <= rows.size(); row += dim) {
    float* x = rows.data() + row;
    if (config_.mode == CmvnMode::kGlobal) {
      for (std::size_t i = 0; i < dim; ++i) x[i] = (x[i] - config_.mean[i]) * inverse_std_[i];
    } else if (config_.mode == CmvnMode::kRunningMean) {
      ++running_count_;
      const double inverse_count = 1.0 / static_cast<double>(running_count_);
      for (std::size_t i = 0; i < dim; ++i) {
        running_sum_[i] += x[i];
        x[i] = static_cast<float>(x[i] - running_sum_[i] * inverse_count);
      }
    }
  }
}

}  // namespace auris::dsp
