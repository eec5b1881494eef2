#include "nn/word_lm_scorer.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

uint64_t Pack(ArpaLm::State lm_state, uint32_t node) {
  return (static_cast<uint64_t>(lm_state) << 32) | node;
}
ArpaLm::State LmState(uint64_t state) { return static_cast<ArpaLm::State>(state >> 32); }
uint32_t Node(uint64_t state) { return static_cast<uint32_t>(state); }

}  // namespace

absl::Status WordLmScorerConfig::Validate() const {
  if (!std::isfinite(lm_weight) || lm_weight < 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("lm_weight is ", lm_weight, "; allowed: finite, >= 0"));
  }
  if (!std::isfinite(word_insertion_bonus)) {
    return absl::InvalidArgumentError(
        absl::StrCat("word_insertion_bonus is ", word_insertion_bonus, "; allowed: finite"));
  }
  if (word_separator.empty()) {
    return absl::InvalidArgumentError("word_separator is empty");
  }
  return absl::OkStatus();
}

std::string WordLmScorerConfig::ToString() const {
  return absl::StrCat("WordLmScorerConfig(lm_weight=", lm_weight,
                      ", word_insertion_bonus=", word_insertion_bonus, ", word_separator='",
                      word_separator, "')");
}

absl::StatusOr<std::unique_ptr<WordLmScorer>> WordLmScorer::Create(
    const WordLmScorerConfig& config, std::shared_ptr<const ArpaLm> lm,
    std::vector<std::string> symbols) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  if (lm == nullptr) return absl::InvalidArgumentError("WordLmScorer needs an LM");
  int32_t separator = -1;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] != config.word_separator) continue;
    if (separator >= 0) {
      return absl::InvalidArgumentError(absl::StrCat("symbols ", separator, " and ", i,
                                                     " both are the word separator '",
                                                     config.word_separator, "'"));
    }
    separator = static_cast<int32_t>(i);
  }
  if (separator < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("no symbol is the word separator '", config.word_separator, "'"));
  }
  return std::unique_ptr<WordLmScorer>(
      new WordLmScorer(config, std::move(lm), std::move(symbols), separator));
}

WordLmScorer::WordLmScorer(const WordLmScorerConfig& config, std::shared_ptr<const ArpaLm> lm,
                           std::vector<std::string> symbols, int32_t separator)
    : config_(config), lm_(std::move(lm)), symbols_(std::move(symbols)), separator_(separator) {
  node_words_.push_back(ArpaLm::kNoWord);
  for (int32_t w = 0; w < lm_->vocab_size(); ++w) {
    if (w == lm_->bos_id() || w == lm_->eos_id() || w == lm_->unk_id()) continue;
    AddWord(lm_->Word(w), w);
  }
}

void WordLmScorer::AddWord(const std::string& spelling, int32_t word) {
  uint32_t node = kRoot;
  for (unsigned char byte : spelling) {
    auto [it, added] = edges_.try_emplace(static_cast<uint64_t>(node) << 8 | byte,
                                          static_cast<uint32_t>(node_words_.size()));
    if (added) node_words_.push_back(ArpaLm::kNoWord);
    node = it->second;
  }
  node_words_[node] = word;
}

uint32_t WordLmScorer::Walk(uint32_t node, const std::string& text) const {
  for (unsigned char byte : text) {
    if (node == kOutsideVocab) return node;
    auto it = edges_.find(static_cast<uint64_t>(node) << 8 | byte);
    node = it == edges_.end() ? kOutsideVocab : it->second;
  }
  return node;
}

double WordLmScorer::WordScore(ArpaLm::State lm_state, int32_t word, ArpaLm::State* next) const {
  const bool unknown = word == ArpaLm::kNoWord || word == lm_->bos_id() || word == lm_->eos_id();
  const int32_t scored = unknown ? lm_->unk_id() : word;
  return config_.lm_weight * lm_->Score(lm_state, scored, next) + config_.word_insertion_bonus;
}

double WordLmScorer::EndScore(ArpaLm::State lm_state) const {
  if (lm_->eos_id() == ArpaLm::kNoWord) return 0.0;
  ArpaLm::State unused = ArpaLm::kEmptyState;
  return config_.lm_weight * lm_->Score(lm_state, lm_->eos_id(), &unused);
}

double WordLmScorer::NodeScore(ArpaLm::State lm_state, uint32_t node, ArpaLm::State* next) const {
  return WordScore(lm_state, node == kOutsideVocab ? ArpaLm::kNoWord : node_words_[node], next);
}

uint64_t WordLmScorer::StartState() const { return Pack(lm_->BeginSentenceState(), kRoot); }

double WordLmScorer::Score(uint64_t state, int32_t symbol, uint64_t* next_state) const {
  const uint32_t node = Node(state);
  if (symbol == separator_) {
    if (node == kRoot) {
      *next_state = state;
      return 0.0;
    }
    ArpaLm::State next = ArpaLm::kEmptyState;
    const double score = NodeScore(LmState(state), node, &next);
    *next_state = Pack(next, kRoot);
    return score;
  }
  const bool known = symbol >= 0 && static_cast<std::size_t>(symbol) < symbols_.size();
  *next_state = Pack(LmState(state), known ? Walk(node, symbols_[symbol]) : kOutsideVocab);
  return 0.0;
}

double WordLmScorer::FinalScore(uint64_t state) const {
  ArpaLm::State lm_state = LmState(state);
  double score = 0.0;
  if (Node(state) != kRoot) score += NodeScore(lm_state, Node(state), &lm_state);
  return score + EndScore(lm_state);
}

}  // namespace auris::nn
