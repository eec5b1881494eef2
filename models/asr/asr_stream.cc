#include "models/asr/asr_stream.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "models/asr/asr_pipeline.h"

namespace auris::models {
namespace {

// In place: any row of probabilities or logits -> natural-log probabilities.
void ToLogProbs(AsrPipeline::OutputKind kind, float* row, int vocab) {
  if (kind == AsrPipeline::OutputKind::kLogProbs) return;
  if (kind == AsrPipeline::OutputKind::kProbs) {
    for (int v = 0; v < vocab; ++v) row[v] = std::log(std::max(row[v], 1e-30f));
    return;
  }
  const float top = *std::max_element(row, row + vocab);
  double sum = 0.0;
  for (int v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(row[v] - top));
  const float log_sum = top + static_cast<float>(std::log(sum));
  for (int v = 0; v < vocab; ++v) row[v] -= log_sum;
}

}  // namespace

absl::Status AsrStream::Accept(std::span<const float> samples, std::vector<AsrEvent>* events) {
  return Process(samples, /*flush=*/false, events);
}

absl::Status AsrStream::Flush(std::vector<AsrEvent>* events) {
  if (absl::Status s = Process({}, /*flush=*/true, events); !s.ok()) return s;
  if (decoder_->frames() > 0 || speech_frames_ > 0) EndUtterance(frames_, true, events);
  return absl::OkStatus();
}

AsrResult AsrStream::Interim() const {
  AsrResult r = decoder_->Interim();
  r.start_ns = utterance_start_ * pipeline_->frame_ns();
  r.end_ns = frames_ * pipeline_->frame_ns();
  return r;
}

int64_t AsrStream::decoded_ns() const { return frames_ * pipeline_->frame_ns(); }

absl::Status AsrStream::Process(std::span<const float> samples, bool flush,
                                std::vector<AsrEvent>* events) {
  RunFrontEnd(samples, flush);
  const int64_t rows = RowsToFeed(flush);
  if (rows == 0) return absl::OkStatus();
  return RunNetwork(rows, &workspace_, events);
}

absl::Status AsrStream::RunNetwork(int64_t rows, nn::Workspace* workspace,
                                   std::vector<AsrEvent>* events) {
  workspace->Reset();
  absl::StatusOr<nn::TensorView> out = pipeline_->runner().Forward(
      nn::ConstTensorView(QueuedRows().data(), nn::Shape{1, rows, input_->feature_dim()}),
      state_.get(), workspace);
  if (!out.ok()) return out.status();
  if (absl::Status s = CheckNetworkOutput(*pipeline_, out->shape, 1); !s.ok()) return s;
  return TakeNetworkOutput(out->data, static_cast<int>(out->shape[1]), rows, events);
}

void AsrStream::RunFrontEnd(std::span<const float> samples, bool flush) {
  const int64_t dim = input_->feature_dim();
  feature_queue_.erase(feature_queue_.begin(), feature_queue_.begin() + queue_head_ * dim);
  queue_head_ = 0;
  const size_t before = feature_queue_.size();
  input_->Accept(samples, flush, &feature_queue_);
  if (capture_) {
    captured_features_.insert(captured_features_.end(), feature_queue_.begin() + before,
                              feature_queue_.end());
  }
}

int64_t AsrStream::RowsToFeed(bool flush) const {
  const int64_t queued =
      static_cast<int64_t>(feature_queue_.size()) / input_->feature_dim() - queue_head_;
  if (flush) return queued;
  const int64_t first = pipeline_->first_output_rows();
  const int64_t stride = pipeline_->network().subsampling();
  const int64_t total = fed_rows_ + queued;
  if (total < first) return 0;
  return std::max<int64_t>(0, first + (total - first) / stride * stride - fed_rows_);
}

std::span<const float> AsrStream::QueuedRows() const {
  const size_t begin = static_cast<size_t>(queue_head_ * input_->feature_dim());
  return std::span<const float>(feature_queue_).subspan(begin);
}

absl::Status AsrStream::CheckNetworkOutput(const AsrPipeline& pipeline, const nn::Shape& shape,
                                           int64_t batch) {
  const int64_t vocab = static_cast<int64_t>(pipeline.symbols().symbols.size());
  if (shape.rank() != 3 || shape[0] != batch || shape[2] != vocab) {
    return absl::InternalError(absl::StrCat("asr model \"", pipeline.info().name,
                                            "\" returned shape ", shape.ToString(), "; expected (",
                                            batch, ", T, ", vocab, ")"));
  }
  return absl::OkStatus();
}

absl::Status AsrStream::TakeNetworkOutput(const float* output, int frames, int64_t rows_fed,
                                          std::vector<AsrEvent>* events) {
  queue_head_ += rows_fed;
  fed_rows_ += rows_fed;
  const int vocab = static_cast<int>(pipeline_->symbols().symbols.size());
  log_probs_.assign(output, output + static_cast<size_t>(frames) * vocab);
  for (int t = 0; t < frames; ++t) {
    ToLogProbs(pipeline_->output_kind(), log_probs_.data() + static_cast<size_t>(t) * vocab, vocab);
  }
  if (capture_) {
    captured_log_probs_.insert(captured_log_probs_.end(), log_probs_.begin(), log_probs_.end());
  }
  return DecodeFrames(log_probs_, frames, events);
}

absl::Status AsrStream::AcceptLogProbs(std::span<const float> log_probs, int num_frames,
                                       std::vector<AsrEvent>* events) {
  const size_t vocab = pipeline_->symbols().symbols.size();
  if (num_frames < 0 || log_probs.size() != static_cast<size_t>(num_frames) * vocab) {
    return absl::InvalidArgumentError(absl::StrCat("log_probs has ", log_probs.size(),
                                                   " values; expected ", num_frames, " x ", vocab));
  }
  return DecodeFrames(log_probs, num_frames, events);
}

absl::Status AsrStream::DecodeFrames(std::span<const float> log_probs, int num_frames,
                                     std::vector<AsrEvent>* events) {
  const int vocab = static_cast<int>(pipeline_->symbols().symbols.size());
  const int32_t blank = pipeline_->symbols().blank;
  const int64_t first = frames_;
  auto feed_until = [&](int64_t end) -> absl::Status {
    if (end <= pending_from_) return absl::OkStatus();
    const size_t begin_row = static_cast<size_t>(pending_from_ - first);
    const int n = static_cast<int>(end - pending_from_);
    pending_from_ = end;
    return decoder_->Advance(log_probs.subspan(begin_row * vocab, static_cast<size_t>(n) * vocab),
                             n);
  };
  for (int t = 0; t < num_frames; ++t) {
    const int64_t g = first + t;
    frames_ = g + 1;
    const bool blank_dominated =
        log_probs[static_cast<size_t>(t) * vocab + blank] >= blank_log_threshold_;
    if (blank_dominated) {
      ++trailing_blank_;
    } else {
      if (!in_speech_) {
        in_speech_ = true;
        events->push_back({AsrEvent::Type::kSpeechBegin, g * pipeline_->frame_ns(), {}});
      }
      ++speech_frames_;
      trailing_blank_ = 0;
      last_speech_frame_ = g;
    }
    if (!endpointing_) continue;
    const bool silence_end = trailing_blank_ >= silence_frames_needed_;
    if (silence_end && speech_frames_ == 0) {
      if (in_speech_) {
        in_speech_ = false;
        events->push_back(
            {AsrEvent::Type::kSpeechEnd, (last_speech_frame_ + 1) * pipeline_->frame_ns(), {}});
      }
      pending_from_ = g + 1;
      decoder_->Reset();
      utterance_start_ = g + 1;
      trailing_blank_ = 0;
      continue;
    }
    const bool too_long = g + 1 - utterance_start_ >= max_utterance_frames_;
    if (silence_end || too_long) {
      if (absl::Status s = feed_until(g + 1); !s.ok()) return s;
      EndUtterance(g + 1, silence_end, events);
    }
  }
  frames_ = first + num_frames;
  return feed_until(frames_);
}

void AsrStream::EndUtterance(int64_t end_frame, bool speech_ended, std::vector<AsrEvent>* events) {
  const int64_t frame_ns = pipeline_->frame_ns();
  if (speech_ended && in_speech_) {
    events->push_back({AsrEvent::Type::kSpeechEnd, (last_speech_frame_ + 1) * frame_ns, {}});
    in_speech_ = false;
  }
  AsrResult result = decoder_->Final();
  const int64_t start_ns = utterance_start_ * frame_ns;
  result.start_ns = start_ns;
  result.end_ns = end_frame * frame_ns;
  for (AsrAlternative& alt : result.alternatives) {
    for (AsrWord& w : alt.words) {
      w.start_ns += start_ns;
      w.end_ns += start_ns;
    }
  }
  if (!result.alternatives.empty() && !result.alternatives[0].transcript.empty()) {
    events->push_back({AsrEvent::Type::kFinal, result.end_ns, std::move(result)});
  }
  decoder_->Reset();
  utterance_start_ = end_frame;
  pending_from_ = std::max(pending_from_, end_frame);
  speech_frames_ = 0;
  trailing_blank_ = 0;
}

}  // namespace auris::models
