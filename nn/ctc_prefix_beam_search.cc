#include "nn/ctc_prefix_beam_search.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nn/ctc_common.h"

namespace auris::nn {
namespace {

uint64_t PrefixKey(int32_t parent, int32_t symbol) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(parent)) << 32) |
         static_cast<uint32_t>(symbol);
}

}  // namespace

absl::Status CtcPrefixBeamSearchConfig::Validate() const {
  if (blank < 0) {
    return absl::InvalidArgumentError(absl::StrCat("blank is ", blank, "; allowed: >= 0"));
  }
  if (beam_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("beam_size is ", beam_size, "; allowed: >= 1"));
  }
  if (nbest < 1 || nbest > beam_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("nbest is ", nbest, "; allowed: [1, beam_size = ", beam_size, "]"));
  }
  if (top_k < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("top_k is ", top_k, "; allowed: >= 0 (0 tries every symbol)"));
  }
  if (std::isnan(min_symbol_log_prob) || min_symbol_log_prob > 0.0f) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_symbol_log_prob is ", min_symbol_log_prob, "; allowed: <= 0 or -inf"));
  }
  if (!(beam_threshold > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("beam_threshold is ", beam_threshold, "; allowed: > 0 (+inf keeps all)"));
  }
  return absl::OkStatus();
}

std::string CtcPrefixBeamSearchConfig::ToString() const {
  return absl::StrCat("CtcPrefixBeamSearchConfig(blank=", blank, ", beam_size=", beam_size,
                      ", nbest=", nbest, ", top_k=", top_k,
                      ", min_symbol_log_prob=", min_symbol_log_prob,
                      ", beam_threshold=", beam_threshold, ")");
}

absl::StatusOr<std::unique_ptr<CtcPrefixBeamSearch>> CtcPrefixBeamSearch::Create(
    const CtcPrefixBeamSearchConfig& config, const CtcScorer* scorer) {
  if (absl::Status status = config.Validate(); !status.ok()) return status;
  return std::unique_ptr<CtcPrefixBeamSearch>(new CtcPrefixBeamSearch(config, scorer));
}

std::unique_ptr<CtcBeamStream> CtcPrefixBeamSearch::CreateStream() const {
  auto stream = std::make_unique<CtcBeamStream>();
  stream->Reset(scorer_ != nullptr ? scorer_->StartState() : 0);
  return stream;
}

void CtcPrefixBeamSearch::SelectSymbols(const float* row, int vocab_size,
                                        std::vector<int32_t>* symbols) const {
  symbols->clear();
  int32_t best = 0;
  for (int32_t v = 0; v < vocab_size; ++v) {
    if (row[v] > row[best]) best = v;
    if (row[v] >= config_.min_symbol_log_prob) symbols->push_back(v);
  }
  if (symbols->empty()) symbols->push_back(best);
  if (config_.top_k > 0 && static_cast<int>(symbols->size()) > config_.top_k) {
    std::nth_element(symbols->begin(), symbols->begin() + config_.top_k, symbols->end(),
                     [row](int32_t a, int32_t b) { return row[a] > row[b]; });
    symbols->resize(config_.top_k);
  }
}

void CtcPrefixBeamSearch::AdvanceFrame(const float* row, int frame, int vocab_size,
                                       CtcBeamStream* stream) const {
  using Candidate = CtcBeamStream::Candidate;
  auto& candidates = stream->candidates_;
  candidates.clear();
  for (uint32_t slot : stream->used_slots_) stream->slot_candidates_[slot] = -1;
  stream->used_slots_.clear();
  const uint64_t mask = stream->slot_keys_.size() - 1;
  auto find_or_add = [&](int32_t parent, int32_t symbol, int32_t node) -> Candidate& {
    const uint64_t key = PrefixKey(parent, symbol);
    uint64_t slot = (key * 0x9E3779B97F4A7C15ull) >> 32 & mask;
    while (stream->slot_candidates_[slot] >= 0) {
      if (stream->slot_keys_[slot] == key) return candidates[stream->slot_candidates_[slot]];
      slot = (slot + 1) & mask;
    }
    stream->slot_keys_[slot] = key;
    stream->slot_candidates_[slot] = static_cast<int32_t>(candidates.size());
    stream->used_slots_.push_back(static_cast<uint32_t>(slot));
    Candidate c{.parent = parent,
                .symbol = symbol,
                .node = node,
                .log_blank = kCtcLogZero,
                .log_non_blank = kCtcLogZero,
                .emit_log_prob = kCtcLogZero};
    for (int32_t child = node < 0 ? stream->nodes_[parent].first_child : -1; child >= 0;
         child = stream->nodes_[child].next_sibling) {
      if (stream->nodes_[child].symbol == symbol) {
        c.node = child;
        break;
      }
    }
    if (c.node >= 0) {
      const CtcBeamStream::Node& n = stream->nodes_[c.node];
      c.scorer_state = n.scorer_state;
      c.scorer_score = n.scorer_score;
      c.emit_frame = n.frame;
      c.emit_log_prob = n.emit_log_prob;
    } else {
      const CtcBeamStream::Node& p = stream->nodes_[parent];
      c.scorer_score = p.scorer_score;
      c.scorer_state = p.scorer_state;
      if (scorer_ != nullptr) {
        c.scorer_score += scorer_->Score(p.scorer_state, symbol, &c.scorer_state);
      }
    }
    candidates.push_back(c);
    return candidates.back();
  };

  SelectSymbols(row, vocab_size, &stream->frame_symbols_);
  const int32_t blank = config_.blank;
  for (const CtcBeamStream::Hypothesis& hyp : stream->beam_) {
    const CtcBeamStream::Node node = stream->nodes_[hyp.node];
    const double total = LogAdd(hyp.log_blank, hyp.log_non_blank);
    for (int32_t symbol : stream->frame_symbols_) {
      const double p = row[symbol];
      if (symbol == blank) {
        Candidate& same = find_or_add(node.parent, node.symbol, hyp.node);
        same.log_blank = LogAdd(same.log_blank, total + p);
        continue;
      }
      const bool repeat = symbol == node.symbol && hyp.node != 0;
      if (repeat) {
        Candidate& same = find_or_add(node.parent, node.symbol, hyp.node);
        same.log_non_blank = LogAdd(same.log_non_blank, hyp.log_non_blank + p);
      }
      const double entering = (repeat ? hyp.log_blank : total) + p;
      Candidate& next = find_or_add(hyp.node, symbol, -1);
      next.log_non_blank = LogAdd(next.log_non_blank, entering);
      if (entering > next.emit_log_prob) {
        next.emit_log_prob = entering;
        next.emit_frame = frame;
      }
    }
  }

  auto& order = stream->order_;
  order.resize(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    Candidate& c = candidates[i];
    c.rank_score = LogAdd(c.log_blank, c.log_non_blank) + c.scorer_score;
    order[i] = static_cast<int32_t>(i);
  }
  const std::size_t keep = std::min<std::size_t>(order.size(), config_.beam_size);
  std::partial_sort(order.begin(), order.begin() + keep, order.end(), [&](int32_t a, int32_t b) {
    return candidates[a].rank_score > candidates[b].rank_score;
  });
  stream->beam_.clear();
  const double floor = keep > 0 ? candidates[order[0]].rank_score - config_.beam_threshold : 0.0;
  for (std::size_t i = 0; i < keep; ++i) {
    Candidate& c = candidates[order[i]];
    if (c.rank_score == kCtcLogZero && !stream->beam_.empty()) break;
    if (i > 0 && c.rank_score < floor) break;  // sorted: every later one is lower still
    if (c.node < 0) {
      c.node = static_cast<int32_t>(stream->nodes_.size());
      stream->nodes_.push_back({.parent = c.parent,
                                .symbol = c.symbol,
                                .frame = c.emit_frame,
                                .emit_log_prob = c.emit_log_prob,
                                .next_sibling = stream->nodes_[c.parent].first_child,
                                .scorer_state = c.scorer_state,
                                .scorer_score = c.scorer_score});
      stream->nodes_[c.parent].first_child = c.node;
    } else {
      stream->nodes_[c.node].frame = c.emit_frame;
      stream->nodes_[c.node].emit_log_prob = c.emit_log_prob;
    }
    stream->beam_.push_back(
        {.node = c.node, .log_blank = c.log_blank, .log_non_blank = c.log_non_blank});
  }
}

absl::Status CtcPrefixBeamSearch::Advance(std::span<const float> log_probs, int num_frames,
                                          int vocab_size, CtcBeamStream* stream) const {
  if (absl::Status status = CheckCtcLogProbs(log_probs, num_frames, vocab_size, config_.blank);
      !status.ok()) {
    return status;
  }
  if (stream->vocab_size_ >= 0 && stream->vocab_size_ != vocab_size) {
    return absl::InvalidArgumentError(absl::StrCat("vocab_size is ", vocab_size,
                                                   " but earlier chunks of this stream had ",
                                                   stream->vocab_size_));
  }
  if (stream->vocab_size_ < 0) {
    std::size_t slots = 16;
    while (slots < 2 * static_cast<std::size_t>(config_.beam_size) * (vocab_size + 1)) slots *= 2;
    stream->slot_keys_.assign(slots, 0);
    stream->slot_candidates_.assign(slots, -1);
    stream->used_slots_.reserve(slots / 2);
  }
  stream->vocab_size_ = vocab_size;
  for (int t = 0; t < num_frames; ++t) {
    AdvanceFrame(log_probs.data() + static_cast<std::size_t>(t) * vocab_size,
                 stream->frames_decoded_, vocab_size, stream);
    ++stream->frames_decoded_;
  }
  return absl::OkStatus();
}

std::vector<CtcHypothesis> CtcPrefixBeamSearch::NBest(const CtcBeamStream& stream) const {
  std::vector<CtcHypothesis> all;
  all.reserve(stream.beam_.size());
  for (const CtcBeamStream::Hypothesis& hyp : stream.beam_) {
    CtcHypothesis out;
    out.log_prob = LogAdd(hyp.log_blank, hyp.log_non_blank);
    const CtcBeamStream::Node& last = stream.nodes_[hyp.node];
    out.score = out.log_prob + last.scorer_score;
    if (scorer_ != nullptr) out.score += scorer_->FinalScore(last.scorer_state);
    for (int32_t n = hyp.node; n > 0; n = stream.nodes_[n].parent) {
      out.symbols.push_back(stream.nodes_[n].symbol);
      out.frames.push_back(stream.nodes_[n].frame);
    }
    std::reverse(out.symbols.begin(), out.symbols.end());
    std::reverse(out.frames.begin(), out.frames.end());
    all.push_back(std::move(out));
  }
  std::stable_sort(all.begin(), all.end(), [](const CtcHypothesis& a, const CtcHypothesis& b) {
    return a.score > b.score;
  });
  if (static_cast<int>(all.size()) > config_.nbest) all.resize(config_.nbest);
  return all;
}

absl::StatusOr<std::vector<CtcHypothesis>> CtcPrefixBeamSearch::Decode(
    std::span<const float> log_probs, int num_frames, int vocab_size) const {
  std::unique_ptr<CtcBeamStream> stream = CreateStream();
  if (absl::Status status = Advance(log_probs, num_frames, vocab_size, stream.get());
      !status.ok()) {
    return status;
  }
  return NBest(*stream);
}

}  // namespace auris::nn
