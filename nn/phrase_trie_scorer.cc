#include "nn/phrase_trie_scorer.h"

#include <algorithm>
#include <cctype>
#include <climits>
#include <limits>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

std::string NormalizePhrase(const std::string& phrase, const std::string& separator) {
  std::string out;
  bool pending_space = false;
  for (unsigned char c : phrase) {
    if (std::isspace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += separator;
    pending_space = false;
    out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

std::vector<std::string> PhraseWords(const std::string& phrase) {
  std::vector<std::string> words;
  std::string word;
  for (char c : NormalizePhrase(phrase, " ")) {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

absl::StatusOr<SpelledPhrase> SpellPhrase(const std::string& phrase,
                                          const std::vector<std::string>& symbols, int32_t blank,
                                          const std::string& separator) {
  const std::string text = NormalizePhrase(phrase, separator);
  if (text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("phrase \"", phrase, "\" is empty; give at least one word"));
  }
  SpelledPhrase spelled;
  std::size_t pos = 0;
  while (pos < text.size()) {
    int32_t best = -1;
    std::size_t best_len = 0;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
      const std::string& s = symbols[i];
      if (static_cast<int32_t>(i) == blank || s.empty() || s.size() <= best_len) continue;
      if (text.compare(pos, s.size(), s) == 0) {
        best = static_cast<int32_t>(i);
        best_len = s.size();
      }
    }
    if (best < 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "phrase \"", phrase, "\" has '", text.substr(pos, 1),
          "', which the model cannot spell; allowed: the model's symbols (for the shipped "
          "English model: a-z, apostrophe and space)"));
    }
    spelled.push_back(best);
    pos += best_len;
  }
  return spelled;
}

int32_t PhraseTrie::Child(int32_t node, int32_t symbol) const {
  const auto& children = nodes[node].children;
  auto it = std::lower_bound(children.begin(), children.end(), std::make_pair(symbol, INT32_MIN));
  return it != children.end() && it->first == symbol ? it->second : -1;
}

int32_t PhraseTrie::Add(const SpelledPhrase& phrase, int32_t index) {
  int32_t node = 0;
  nodes[0].phrases_through.push_back(index);
  for (int32_t symbol : phrase) {
    int32_t child = Child(node, symbol);
    if (child < 0) {
      child = static_cast<int32_t>(nodes.size());
      Node n;
      n.parent = node;
      n.symbol = symbol;
      auto& siblings = nodes[node].children;
      siblings.insert(
          std::lower_bound(siblings.begin(), siblings.end(), std::make_pair(symbol, INT32_MIN)),
          {symbol, child});
      nodes.push_back(std::move(n));
    }
    node = child;
    nodes[node].phrases_through.push_back(index);
  }
  nodes[node].phrases_ending.push_back(index);
  return node;
}

uint64_t PhraseTrieScorer::Pack(uint64_t inner, uint32_t own) const {
  if (inner_ == nullptr) return own;
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, added] = pair_ids_.try_emplace({inner, own}, pairs_.size());
  if (added) pairs_.emplace_back(inner, own);
  return it->second;
}

std::pair<uint64_t, uint32_t> PhraseTrieScorer::Unpack(uint64_t state) const {
  if (inner_ == nullptr) return {0, static_cast<uint32_t>(state)};
  std::lock_guard<std::mutex> lock(mu_);
  return pairs_[state];
}

std::size_t PhraseTrieScorer::interned_pairs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pairs_.size();
}

uint64_t PhraseTrieScorer::StartState() const {
  return Pack(inner_ != nullptr ? inner_->StartState() : 0, OwnStartState());
}

double PhraseTrieScorer::Score(uint64_t state, int32_t symbol, uint64_t* next_state) const {
  const auto [inner, own] = Unpack(state);
  uint32_t next_own = own;
  const double score = OwnScore(own, symbol, &next_own);
  if (score == -std::numeric_limits<double>::infinity()) {
    *next_state = state;
    return score;
  }
  uint64_t next_inner = 0;
  const double inner_score = inner_ != nullptr ? inner_->Score(inner, symbol, &next_inner) : 0.0;
  *next_state = Pack(next_inner, next_own);
  return score + inner_score;
}

double PhraseTrieScorer::FinalScore(uint64_t state) const {
  const auto [inner, own] = Unpack(state);
  const double score = OwnFinalScore(own);
  if (score == -std::numeric_limits<double>::infinity()) return score;
  return score + (inner_ != nullptr ? inner_->FinalScore(inner) : 0.0);
}

}  // namespace auris::nn
