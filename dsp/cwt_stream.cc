#include "dsp/cwt_stream.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"

namespace auris::dsp {

absl::StatusOr<std::unique_ptr<CwtStream>> CwtStream::Create(std::shared_ptr<const Cwt> cwt) {
  if (cwt == nullptr) return absl::InvalidArgumentError("CwtStream needs a Cwt");
  absl::StatusOr<std::shared_ptr<const FftPlan>> plan = FftPlan::Get(cwt->stream_fft_size());
  if (!plan.ok()) return plan.status();
  return std::unique_ptr<CwtStream>(new CwtStream(std::move(cwt), *std::move(plan)));
}

CwtStream::CwtStream(std::shared_ptr<const Cwt> cwt, std::shared_ptr<const FftPlan> plan)
    : cwt_(std::move(cwt)),
      plan_(std::move(plan)),
      block_(cwt_->config().block_size),
      support_(cwt_->support()),
      block_out_(static_cast<std::size_t>(cwt_->num_scales()) * block_),
      fft_in_(plan_->size()),
      spectrum_(plan_->num_bins()),
      scratch_(plan_->num_bins()),
      re_(plan_->size()),
      im_(plan_->size()) {
  history_.reserve(block_ + 2 * support_);
  Reset();
}

void CwtStream::Reset() {
  history_.assign(support_, 0.0f);
  received_ = 0;
  emitted_ = 0;
}

std::size_t CwtStream::StateBytes() const {
  return sizeof(*this) + history_.capacity() * sizeof(float) +
         block_out_.capacity() * sizeof(float) +
         (fft_in_.size() + re_.size() + im_.size()) * sizeof(float) +
         (spectrum_.size() + scratch_.size()) * sizeof(std::complex<float>);
}

void CwtStream::ProcessBlock() {
  const int window = block_ + 2 * support_;
  std::copy(history_.begin(), history_.begin() + window, fft_in_.data());
  std::fill(fft_in_.data() + window, fft_in_.data() + fft_in_.size(), 0.0f);
  plan_->Forward(fft_in_, &spectrum_);
  for (int k = 0; k < cwt_->num_scales(); ++k) {
    AnalyticMagnitude(*plan_, spectrum_, cwt_->stream_filter(k), support_, block_, &scratch_, &re_,
                      &im_, block_out_.data() + static_cast<std::size_t>(k) * block_);
  }
  history_.erase(history_.begin(), history_.begin() + block_);
}

void CwtStream::CopyColumns(int count, int offset, int total, std::vector<float>* columns) const {
  for (int k = 0; k < cwt_->num_scales(); ++k) {
    std::copy_n(block_out_.begin() + static_cast<std::size_t>(k) * block_, count,
                columns->begin() + static_cast<std::size_t>(k) * total + offset);
  }
}

int CwtStream::Accept(std::span<const float> samples, std::vector<float>* columns) {
  const std::size_t window = block_ + 2 * support_;
  const long long after = received_ + static_cast<long long>(samples.size());
  // Column c is complete once sample c + support has arrived.
  const int total =
      static_cast<int>((std::max(0LL, after - support_) / block_) * block_ - emitted_);
  columns->resize(static_cast<std::size_t>(cwt_->num_scales()) * total);
  int written = 0;
  while (!samples.empty()) {
    const std::size_t take = std::min(samples.size(), window - history_.size());
    history_.insert(history_.end(), samples.begin(), samples.begin() + take);
    samples = samples.subspan(take);
    if (history_.size() == window) {
      ProcessBlock();
      CopyColumns(block_, written, total, columns);
      written += block_;
    }
  }
  received_ = after;
  emitted_ += written;
  return written;
}

int CwtStream::Flush(std::vector<float>* columns) {
  const std::size_t window = block_ + 2 * support_;
  const int total = static_cast<int>(received_ - emitted_);
  columns->resize(static_cast<std::size_t>(cwt_->num_scales()) * total);
  int written = 0;
  while (written < total) {
    history_.resize(window, 0.0f);
    ProcessBlock();
    const int count = std::min(block_, total - written);
    CopyColumns(count, written, total, columns);
    written += count;
  }
  Reset();
  return written;
}

}  // namespace auris::dsp
