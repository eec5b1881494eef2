#include "dsp/dwt_stream.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::dsp {
namespace {

constexpr int kMaxLevels = 16;
constexpr int kHistoryBlock = 1024;  // extra history capacity, so that compaction is rare

}  // namespace

absl::Status DwtStreamConfig::Validate() const {
  if (!GetWaveletFilters(wavelet).ok()) {
    return absl::InvalidArgumentError(absl::StrCat("DwtStreamConfig.wavelet '", wavelet,
                                                   "' must be db1..db10, haar or sym2..sym10"));
  }
  if (levels < 1 || levels > kMaxLevels) {
    return absl::InvalidArgumentError(
        absl::StrCat("DwtStreamConfig.levels ", levels, " outside 1..", kMaxLevels));
  }
  return absl::OkStatus();
}

std::string DwtStreamConfig::ToString() const {
  return absl::StrCat("DwtStreamConfig(wavelet=", wavelet, ", levels=", levels, ", mode=zero)");
}

absl::StatusOr<std::unique_ptr<DwtStream>> DwtStream::Create(const DwtStreamConfig& config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  absl::StatusOr<WaveletFilters> filters = GetWaveletFilters(config.wavelet);
  if (!filters.ok()) return filters.status();
  return std::unique_ptr<DwtStream>(new DwtStream(config, *std::move(filters)));
}

absl::StatusOr<DwtCoefficients> DwtStream::Analyze(const DwtStreamConfig& config,
                                                   std::span<const float> x) {
  absl::StatusOr<std::unique_ptr<DwtStream>> stream = Create(config);
  if (!stream.ok()) return stream.status();
  DwtCoefficients out;
  (*stream)->Accept(x, &out);
  (*stream)->Flush(&out);
  return out;
}

DwtStream::DwtStream(const DwtStreamConfig& config, WaveletFilters filters)
    : config_(config), filters_(std::move(filters)), levels_(config.levels) {
  for (Level& level : levels_) level.history.assign(filters_.length() + kHistoryBlock, 0.0f);
  for (auto& s : scratch_) s.reserve(kHistoryBlock);
  Reset();
}

void DwtStream::Reset() {
  const int lead = filters_.length() - 2;
  for (Level& level : levels_) {
    std::fill(level.history.begin(), level.history.begin() + lead, 0.0f);
    level.head = 0;
    level.tail = lead;
    level.received = 0;
  }
}

void DwtStream::FeedLevel(Level* level, std::span<const float> x,
                          std::vector<float>* approximations, std::vector<float>* details) {
  const int len = filters_.length();
  const double* lo = filters_.dec_lo.data();
  const double* hi = filters_.dec_hi.data();
  level->received += static_cast<long long>(x.size());
  while (!x.empty()) {
    const std::size_t room = level->history.size() - level->tail;
    if (room == 0) {
      std::copy(level->history.begin() + level->head, level->history.begin() + level->tail,
                level->history.begin());
      level->tail -= level->head;
      level->head = 0;
      continue;
    }
    const std::size_t take = std::min(room, x.size());
    std::copy(x.begin(), x.begin() + take, level->history.begin() + level->tail);
    level->tail += static_cast<int>(take);
    x = x.subspan(take);
    for (; level->tail - level->head >= len; level->head += 2) {
      // Newest tap first: x[2k + 1 - i] is history[head + len - 1 - i].
      const float* newest = level->history.data() + level->head + len - 1;
      double a = 0.0, d = 0.0;
      for (int i = 0; i < len; ++i) {
        a += lo[i] * newest[-i];
        d += hi[i] * newest[-i];
      }
      approximations->push_back(static_cast<float>(a));
      details->push_back(static_cast<float>(d));
    }
  }
}

void DwtStream::Accept(std::span<const float> samples, DwtCoefficients* out) {
  out->details.resize(config_.levels);
  std::span<const float> input = samples;
  for (int j = 0; j < config_.levels; ++j) {
    const bool last = j + 1 == config_.levels;
    std::vector<float>* approximations = last ? &out->approximation : &scratch_[j % 2];
    if (!last) approximations->clear();
    FeedLevel(&levels_[j], input, approximations, &out->details[j]);
    if (last) break;
    input = scratch_[j % 2];
  }
}

void DwtStream::Flush(DwtCoefficients* out) {
  out->details.resize(config_.levels);
  out->lengths.clear();
  if (levels_[0].received > 0) {
    const std::vector<float> zeros(filters_.length() - 1, 0.0f);
    std::span<const float> input;
    for (int j = 0; j < config_.levels; ++j) {
      const bool last = j + 1 == config_.levels;
      std::vector<float>* approximations = last ? &out->approximation : &scratch_[j % 2];
      if (!last) approximations->clear();
      Level& level = levels_[j];
      FeedLevel(&level, input, approximations, &out->details[j]);
      FeedLevel(&level, zeros, approximations, &out->details[j]);
      level.received -= static_cast<long long>(zeros.size());
      out->lengths.push_back(static_cast<int>(level.received));
      input = scratch_[j % 2];
    }
  }
  Reset();
}

}  // namespace auris::dsp
