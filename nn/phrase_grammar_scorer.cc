#include "nn/phrase_grammar_scorer.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::StatusOr<std::unique_ptr<PhraseGrammarScorer>> PhraseGrammarScorer::Create(
    const std::vector<std::string>& phrases, const std::vector<std::string>& symbols, int32_t blank,
    const std::string& separator, const CtcScorer* inner) {
  if (phrases.empty()) {
    return absl::InvalidArgumentError("a restricting grammar needs at least one phrase");
  }
  const auto sep_it = std::find(symbols.begin(), symbols.end(), separator);
  if (sep_it == symbols.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no symbol is the word separator '", separator, "'"));
  }
  const int32_t sep = static_cast<int32_t>(sep_it - symbols.begin());
  PhraseTrie trie;
  for (std::size_t i = 0; i < phrases.size(); ++i) {
    absl::StatusOr<SpelledPhrase> s = SpellPhrase(phrases[i], symbols, blank, separator);
    if (!s.ok()) return s.status();
    trie.Add(*s, static_cast<int32_t>(i));
  }
  const int vocab = static_cast<int>(symbols.size());
  auto scorer = std::unique_ptr<PhraseGrammarScorer>(new PhraseGrammarScorer(inner, vocab));
  using Subset = std::vector<int32_t>;
  std::map<Subset, int32_t> ids;
  std::deque<Subset> queue;
  auto id_of = [&](Subset subset) -> int32_t {
    auto [it, added] = ids.try_emplace(subset, static_cast<int32_t>(ids.size()));
    if (added) {
      bool accepting = false;
      for (int32_t n : subset) {
        accepting = accepting || n == 0 || !trie.nodes[n].phrases_ending.empty();
      }
      scorer->accepting_.push_back(accepting);
      queue.push_back(std::move(subset));
    }
    return it->second;
  };
  id_of({0});
  for (int32_t state = 0; !queue.empty(); ++state) {
    if (state >= kMaxStates) {
      return absl::InvalidArgumentError(
          absl::StrCat("the restricting phrases make a grammar of more than ", kMaxStates,
                       " states; use fewer or shorter phrases"));
    }
    const Subset subset = std::move(queue.front());
    queue.pop_front();
    scorer->next_.resize(static_cast<std::size_t>(state + 1) * vocab, kDead);
    for (int32_t symbol = 0; symbol < vocab; ++symbol) {
      if (symbol == blank) continue;
      Subset next;
      for (int32_t n : subset) {
        const int32_t child = trie.Child(n, symbol);
        if (child >= 0) next.push_back(child);
        if (symbol == sep && (n == 0 || !trie.nodes[n].phrases_ending.empty())) next.push_back(0);
      }
      if (next.empty()) continue;
      std::sort(next.begin(), next.end());
      next.erase(std::unique(next.begin(), next.end()), next.end());
      scorer->next_[static_cast<std::size_t>(state) * vocab + symbol] = id_of(std::move(next));
    }
  }
  return scorer;
}

double PhraseGrammarScorer::OwnScore(uint32_t own, int32_t symbol, uint32_t* next_own) const {
  const int32_t next = symbol >= 0 && symbol < vocab_size_
                           ? next_[static_cast<std::size_t>(own) * vocab_size_ + symbol]
                           : kDead;
  if (next == kDead) return -std::numeric_limits<double>::infinity();
  *next_own = static_cast<uint32_t>(next);
  return 0.0;
}

double PhraseGrammarScorer::OwnFinalScore(uint32_t own) const {
  return accepting_[own] ? 0.0 : -std::numeric_limits<double>::infinity();
}

}  // namespace auris::nn
