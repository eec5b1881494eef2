#include "models/asr/asr_decoder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/word_alignment.h"
#include "nn/phrase_trie_scorer.h"

namespace auris::models {
namespace {

// Merges hypotheses with the same transcript (e.g. with and without a trailing space) and
// turns the scores into posteriors over the beam.
struct Ranked {
  size_t hyp = 0;
  std::string transcript;
  double posterior = 0.0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<AsrDecoder>> AsrDecoder::Create(const AsrPipeline& pipeline,
                                                               const AsrStreamOptions& options) {
  const AsrDecoderDefaults& defaults = pipeline.defaults();
  const SymbolTable& table = pipeline.symbols();
  auto decoder = std::unique_ptr<AsrDecoder>(new AsrDecoder(&pipeline));
  decoder->max_alternatives_ = options.max_alternatives;
  const int beam = options.beam_size > 0 ? options.beam_size : defaults.beam_size;
  if (beam == 1) {
    // Greedy search asked for by the request: the fastest decode, without the LM and without
    // the model's lexicon (which needs beam search).
    if (!options.contexts.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("speech_contexts need beam search, but model \"", pipeline.info().name,
                       "\" decodes greedily by default; set decoding.beam_size to 2 or more"));
    }
    return decoder;
  }
  if (!pipeline.has_lm() && options.lm_weight && *options.lm_weight != 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("decoding.lm_weight is ", *options.lm_weight, " but model \"",
                     pipeline.info().name, "\" has no language model; allowed: 0 or unset"));
  }
  const double lm_weight = pipeline.has_lm() ? options.lm_weight.value_or(defaults.lm_weight) : 0.0;
  const double bonus = options.word_insertion_bonus.value_or(defaults.word_insertion_bonus);
  // Words of the context phrases join the lexicon, so a phrase with a word outside it can
  // still be boosted or allowed.
  std::vector<std::string> phrase_words;
  if (pipeline.has_lexicon()) {
    for (const AsrPhraseContext& c : options.contexts) {
      for (const std::string& p : c.phrases) {
        for (std::string& w : nn::PhraseWords(p)) phrase_words.push_back(std::move(w));
      }
    }
  }
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> lm =
      pipeline.LmScorer(lm_weight, bonus, phrase_words, options.oov_penalty);
  if (!lm.ok()) return lm.status();
  decoder->lm_ = *std::move(lm);
  const nn::CtcScorer* top = decoder->lm_.get();
  std::vector<nn::BoostedPhrase> boosted;
  std::vector<std::string> allowed;
  for (const AsrPhraseContext& c : options.contexts) {
    for (const std::string& p : c.phrases) {
      if (c.boost > 0.0) boosted.push_back({p, c.boost});
      if (c.restrict) allowed.push_back(p);
    }
  }
  const std::string separator = table.symbols[table.separator];
  if (!boosted.empty()) {
    absl::StatusOr<std::unique_ptr<nn::PhraseBoostScorer>> boost =
        nn::PhraseBoostScorer::Create(boosted, table.symbols, table.blank, separator, top);
    if (!boost.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("speech_contexts: ", std::string(boost.status().message())));
    }
    decoder->boost_ = *std::move(boost);
    top = decoder->boost_.get();
  }
  if (!allowed.empty()) {
    absl::StatusOr<std::unique_ptr<nn::PhraseGrammarScorer>> grammar =
        nn::PhraseGrammarScorer::Create(allowed, table.symbols, table.blank, separator, top);
    if (!grammar.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("speech_contexts: ", std::string(grammar.status().message())));
    }
    decoder->grammar_ = *std::move(grammar);
    top = decoder->grammar_.get();
  }
  nn::CtcPrefixBeamSearchConfig config;
  config.blank = table.blank;
  config.beam_size = beam;
  config.nbest = beam;
  config.min_symbol_log_prob =
      static_cast<float>(options.symbol_min_log_prob.value_or(defaults.symbol_min_log_prob));
  config.beam_threshold = options.beam_threshold.value_or(defaults.beam_threshold);
  absl::StatusOr<std::unique_ptr<nn::CtcPrefixBeamSearch>> search =
      nn::CtcPrefixBeamSearch::Create(config, top);
  if (!search.ok()) return search.status();
  decoder->search_ = *std::move(search);
  decoder->beam_ = decoder->search_->CreateStream();
  return decoder;
}

absl::Status AsrDecoder::Advance(std::span<const float> log_probs, int num_frames) {
  const int vocab = static_cast<int>(pipeline_->symbols().symbols.size());
  log_probs_.insert(log_probs_.end(), log_probs.begin(), log_probs.end());
  if (search_ != nullptr) {
    if (absl::Status s = search_->Advance(log_probs, num_frames, vocab, beam_.get()); !s.ok()) {
      return s;
    }
  } else {
    const int32_t blank = pipeline_->symbols().blank;
    for (int t = 0; t < num_frames; ++t) {
      const float* row = log_probs.data() + static_cast<size_t>(t) * vocab;
      const int32_t best = static_cast<int32_t>(std::max_element(row, row + vocab) - row);
      if (best != blank && best != greedy_last_) {
        greedy_symbols_.push_back(best);
        greedy_frames_.push_back(frames_ + t);
      }
      greedy_last_ = best;
    }
  }
  frames_ += num_frames;
  return absl::OkStatus();
}

void AsrDecoder::Reset() {
  log_probs_.clear();
  frames_ = 0;
  greedy_symbols_.clear();
  greedy_frames_.clear();
  greedy_last_ = -1;
  if (search_ == nullptr) return;
  const nn::CtcScorer* top = grammar_ ? static_cast<const nn::CtcScorer*>(grammar_.get())
                             : boost_ ? static_cast<const nn::CtcScorer*>(boost_.get())
                                      : lm_.get();
  beam_->Reset(top != nullptr ? top->StartState() : 0);
}

std::vector<AsrDecoder::Hyp> AsrDecoder::Hypotheses() const {
  std::vector<Hyp> out;
  if (search_ == nullptr) {
    out.push_back({greedy_symbols_, greedy_frames_, 0.0});
    return out;
  }
  for (nn::CtcHypothesis& h : search_->NBest(*beam_)) {
    out.push_back({std::move(h.symbols), std::move(h.frames), h.score});
  }
  return out;
}

namespace {

std::vector<Ranked> Rank(const std::vector<int32_t>* const* symbols, const double* scores, size_t n,
                         const SymbolTable& table, size_t keep) {
  double best = -std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < n; ++i) best = std::max(best, scores[i]);
  std::vector<Ranked> ranked;
  if (!std::isfinite(best)) return ranked;
  double total = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(scores[i])) continue;
    const double p = std::exp(scores[i] - best);
    total += p;
    std::string text = Transcript(*symbols[i], table);
    auto same = std::find_if(ranked.begin(), ranked.end(),
                             [&](const Ranked& r) { return r.transcript == text; });
    if (same != ranked.end()) {
      same->posterior += p;
    } else {
      ranked.push_back({i, std::move(text), p});
    }
  }
  for (Ranked& r : ranked) r.posterior /= total;
  if (ranked.size() > keep) ranked.resize(keep);
  return ranked;
}

}  // namespace

AsrResult AsrDecoder::Interim() const {
  const SymbolTable& table = pipeline_->symbols();
  const std::vector<Hyp> hyps = Hypotheses();
  AsrResult result;
  result.is_final = false;
  std::vector<const std::vector<int32_t>*> symbols;
  std::vector<double> scores;
  for (const Hyp& h : hyps) {
    symbols.push_back(&h.symbols);
    // Interim ranking ignores end-of-utterance terms that are -inf mid-phrase (grammars).
    scores.push_back(std::isfinite(h.score) ? h.score : -1e300);
  }
  for (const Ranked& r :
       Rank(symbols.data(), scores.data(), hyps.size(), table, max_alternatives_)) {
    AsrAlternative alt;
    alt.transcript = r.transcript;
    alt.confidence = static_cast<float>(search_ == nullptr ? 1.0 : r.posterior);
    alt.score = hyps[r.hyp].score;
    result.alternatives.push_back(std::move(alt));
  }
  if (hyps.empty()) return result;
  size_t common = hyps[0].symbols.size();
  for (const Hyp& h : hyps) {
    size_t i = 0;
    while (i < common && i < h.symbols.size() && h.symbols[i] == hyps[0].symbols[i]) ++i;
    common = i;
  }
  while (common > 0 && hyps[0].symbols[common - 1] != table.separator) --common;
  result.stable_prefix =
      Transcript(std::span<const int32_t>(hyps[0].symbols.data(), common), table);
  const std::string& best =
      result.alternatives.empty() ? std::string() : result.alternatives[0].transcript;
  result.stability = best.empty() ? 0.0f
                                  : static_cast<float>(result.stable_prefix.size()) /
                                        static_cast<float>(best.size());
  return result;
}

AsrResult AsrDecoder::Final() const {
  const SymbolTable& table = pipeline_->symbols();
  const std::vector<Hyp> hyps = Hypotheses();
  AsrResult result;
  result.is_final = true;
  std::vector<const std::vector<int32_t>*> symbols;
  std::vector<double> scores;
  for (const Hyp& h : hyps) {
    symbols.push_back(&h.symbols);
    scores.push_back(h.score);
  }
  for (const Ranked& r :
       Rank(symbols.data(), scores.data(), hyps.size(), table, max_alternatives_)) {
    const Hyp& h = hyps[r.hyp];
    AsrAlternative alt;
    alt.transcript = r.transcript;
    alt.score = h.score;
    alt.words = AlignWords(log_probs_, frames_, h.symbols, h.frames, table, pipeline_->aligner(), 0,
                           pipeline_->frame_ns());
    const AsrDecoderDefaults& d = pipeline_->defaults();
    for (AsrWord& w : alt.words) {
      w.confidence = CalibrateConfidence(w.confidence, d.confidence_scale, d.confidence_bias);
    }
    if (search_ != nullptr) {
      alt.confidence = static_cast<float>(r.posterior);
    } else {
      double sum = 0.0;
      for (const AsrWord& w : alt.words) sum += w.confidence;
      alt.confidence = alt.words.empty() ? 1.0f : static_cast<float>(sum / alt.words.size());
    }
    result.alternatives.push_back(std::move(alt));
  }
  return result;
}

}  // namespace auris::models
