#include "nn/phrase_boost_scorer.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::StatusOr<std::unique_ptr<PhraseBoostScorer>> PhraseBoostScorer::Create(
    const std::vector<BoostedPhrase>& phrases, const std::vector<std::string>& symbols,
    int32_t blank, const std::string& separator, const CtcScorer* inner) {
  const auto sep_it = std::find(symbols.begin(), symbols.end(), separator);
  if (sep_it == symbols.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("no symbol is the word separator '", separator, "'"));
  }
  const int32_t sep = static_cast<int32_t>(sep_it - symbols.begin());
  auto scorer = std::unique_ptr<PhraseBoostScorer>(new PhraseBoostScorer(inner, sep));
  std::vector<SpelledPhrase> spelled;
  for (std::size_t i = 0; i < phrases.size(); ++i) {
    if (!std::isfinite(phrases[i].boost) || phrases[i].boost < 0.0) {
      return absl::InvalidArgumentError(absl::StrCat("boost of phrase \"", phrases[i].text,
                                                     "\" is ", phrases[i].boost,
                                                     "; allowed: finite, >= 0"));
    }
    absl::StatusOr<SpelledPhrase> s = SpellPhrase(phrases[i].text, symbols, blank, separator);
    if (!s.ok()) return s.status();
    scorer->trie_.Add(*s, static_cast<int32_t>(i));
    spelled.push_back(*std::move(s));
  }
  const PhraseTrie& trie = scorer->trie_;
  std::vector<NodeValue>& values = scorer->nodes_;
  values.assign(trie.nodes.size(), NodeValue{});
  values[0].word_start = true;
  // Best value_p at each node, from walking every phrase.
  std::vector<double> best(trie.nodes.size(), 0.0);
  for (std::size_t p = 0; p < spelled.size(); ++p) {
    const SpelledPhrase& s = spelled[p];
    const double b = phrases[p].boost;
    int32_t node = 0;
    int completed = 0;
    std::size_t word_begin = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      node = trie.Child(node, s[i]);
      if (s[i] == sep) {
        ++completed;
        word_begin = i + 1;
        best[node] = std::max(best[node], b * completed);
        continue;
      }
      std::size_t word_end = word_begin;
      while (word_end < s.size() && s[word_end] != sep) ++word_end;
      const double fraction =
          static_cast<double>(i + 1 - word_begin) / static_cast<double>(word_end - word_begin);
      best[node] = std::max(best[node], b * (completed + fraction));
    }
    const int words = completed + 1;
    values[node].reward = std::max(values[node].reward, b * words);
  }
  for (std::size_t n = 1; n < trie.nodes.size(); ++n) {
    const PhraseTrie::Node& node = trie.nodes[n];
    const NodeValue& parent = values[node.parent];
    NodeValue& v = values[n];
    v.potential = std::max(parent.potential, best[n]);
    v.word_start = node.symbol == sep;
    v.committed = v.word_start && parent.reward >= 0.0 ? parent.reward : parent.committed;
  }
  return scorer;
}

double PhraseBoostScorer::Restart(int32_t symbol, uint32_t* next_own) const {
  const int32_t child = trie_.Child(0, symbol);
  if (child < 0) {
    *next_own = kOutside;
    return 0.0;
  }
  *next_own = static_cast<uint32_t>(child);
  return nodes_[child].potential;
}

double PhraseBoostScorer::OwnScore(uint32_t own, int32_t symbol, uint32_t* next_own) const {
  if (own == kOutside) {
    *next_own = symbol == separator_ ? kRoot : kOutside;
    return 0.0;
  }
  const NodeValue& here = nodes_[own];
  const int32_t child = trie_.Child(static_cast<int32_t>(own), symbol);
  if (child >= 0) {
    *next_own = static_cast<uint32_t>(child);
    return nodes_[child].potential - here.potential;
  }
  if (symbol == separator_) {
    *next_own = kRoot;
    return (here.reward >= 0.0 ? here.reward : here.committed) - here.potential;
  }
  const double retract = here.committed - here.potential;
  if (!here.word_start) {
    *next_own = kOutside;
    return retract;
  }
  return retract + Restart(symbol, next_own);
}

double PhraseBoostScorer::OwnFinalScore(uint32_t own) const {
  if (own == kOutside) return 0.0;
  const NodeValue& here = nodes_[own];
  return (here.reward >= 0.0 ? here.reward : here.committed) - here.potential;
}

}  // namespace auris::nn
