#include "nn/lexicon_scorer.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

uint64_t Pack(ArpaLm::State lm_state, uint32_t node) {
  return (static_cast<uint64_t>(lm_state) << 32) | node;
}
ArpaLm::State LmState(uint64_t state) { return static_cast<ArpaLm::State>(state >> 32); }
uint32_t Node(uint64_t state) { return static_cast<uint32_t>(state); }

}  // namespace

absl::StatusOr<std::unique_ptr<LexiconScorer>> LexiconScorer::Create(
    const std::vector<std::string>& words, std::vector<std::string> symbols,
    const std::string& separator, const WordLmScorer* lm, double oov_penalty) {
  if (separator.empty()) return absl::InvalidArgumentError("the word separator is empty");
  if (!(oov_penalty >= 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("oov_penalty is ", oov_penalty, "; allowed: >= 0 (+inf: lexicon words only)"));
  }
  if (lm != nullptr && lm->config().word_separator != separator) {
    return absl::InvalidArgumentError(absl::StrCat("the LM scorer's word separator '",
                                                   lm->config().word_separator,
                                                   "' is not the lexicon's '", separator, "'"));
  }
  int32_t sep = -1;
  for (std::size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] != separator) continue;
    if (sep >= 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "symbols ", sep, " and ", i, " both are the word separator '", separator, "'"));
    }
    sep = static_cast<int32_t>(i);
  }
  if (sep < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("no symbol is the word separator '", separator, "'"));
  }
  auto scorer =
      std::unique_ptr<LexiconScorer>(new LexiconScorer(std::move(symbols), sep, lm, oov_penalty));
  std::vector<std::map<unsigned char, uint32_t>> children(1);
  std::vector<int32_t>& node_word = scorer->node_word_;
  node_word.assign(1, kNotWord);
  for (const std::string& word : words) {
    if (word.empty() || word.find(separator) != std::string::npos) continue;
    uint32_t node = kRoot;
    for (unsigned char byte : word) {
      auto [it, added] = children[node].try_emplace(byte, static_cast<uint32_t>(node_word.size()));
      if (added) {
        children.emplace_back();
        node_word.push_back(kNotWord);
      }
      node = it->second;
    }
    if (node_word[node] != kNotWord) continue;
    node_word[node] = lm != nullptr ? lm->lm().WordId(word) : 0;
    ++scorer->num_words_;
  }
  if (scorer->num_words_ == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("the lexicon has no usable word (", words.size(),
                     " given; empty words and words containing the separator are skipped)"));
  }
  scorer->first_edge_.reserve(children.size() + 1);
  for (const auto& edges : children) {
    scorer->first_edge_.push_back(static_cast<uint32_t>(scorer->edge_child_.size()));
    for (const auto& [byte, child] : edges) {
      scorer->edge_byte_.push_back(byte);
      scorer->edge_child_.push_back(child);
    }
  }
  scorer->first_edge_.push_back(static_cast<uint32_t>(scorer->edge_child_.size()));
  return scorer;
}

absl::StatusOr<std::vector<std::string>> LexiconScorer::ReadWordList(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open word list ", path));
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string word;
    if (fields >> word) words.push_back(std::move(word));
  }
  if (in.bad()) return absl::DataLossError(absl::StrCat("reading word list ", path, " failed"));
  return words;
}

std::vector<std::string> LexiconScorer::LmWords(const ArpaLm& lm) {
  std::vector<std::string> words;
  for (int32_t w = 0; w < lm.vocab_size(); ++w) {
    if (w == lm.bos_id() || w == lm.eos_id() || w == lm.unk_id()) continue;
    words.push_back(lm.Word(w));
  }
  return words;
}

uint32_t LexiconScorer::Walk(uint32_t node, const std::string& text) const {
  for (unsigned char byte : text) {
    const auto begin = edge_byte_.begin() + first_edge_[node];
    const auto end = edge_byte_.begin() + first_edge_[node + 1];
    const auto it = std::lower_bound(begin, end, byte);
    if (it == end || *it != byte) return kDead;
    node = edge_child_[it - edge_byte_.begin()];
  }
  return node;
}

uint64_t LexiconScorer::StartState() const {
  return Pack(lm_ != nullptr ? lm_->lm().BeginSentenceState() : 0, kRoot);
}

double LexiconScorer::WordEnd(uint64_t state, uint64_t* next_state) const {
  const uint32_t node = Node(state);
  int32_t word = node == kOov ? ArpaLm::kNoWord : node_word_[node];
  double score = 0.0;
  if (word == kNotWord) {  // a lexicon prefix that is no word: an unknown word, if allowed
    if (oov_penalty_ == std::numeric_limits<double>::infinity()) return kNegInf;
    word = ArpaLm::kNoWord;
    score = -oov_penalty_;
  }
  if (lm_ == nullptr) {
    *next_state = Pack(0, kRoot);
    return score;
  }
  ArpaLm::State next = ArpaLm::kEmptyState;
  score += lm_->WordScore(LmState(state), word, &next);
  *next_state = Pack(next, kRoot);
  return score;
}

double LexiconScorer::Score(uint64_t state, int32_t symbol, uint64_t* next_state) const {
  *next_state = state;
  if (symbol == separator_) {
    return Node(state) == kRoot ? 0.0 : WordEnd(state, next_state);
  }
  if (symbol < 0 || static_cast<std::size_t>(symbol) >= symbols_.size()) return kNegInf;
  if (Node(state) == kOov) return 0.0;  // still inside the unknown word, already paid for
  const uint32_t child = Walk(Node(state), symbols_[symbol]);
  if (child != kDead) {
    *next_state = Pack(LmState(state), child);
    return 0.0;
  }
  if (oov_penalty_ == std::numeric_limits<double>::infinity()) return kNegInf;
  *next_state = Pack(LmState(state), kOov);
  return -oov_penalty_;
}

double LexiconScorer::FinalScore(uint64_t state) const {
  double score = 0.0;
  if (Node(state) != kRoot) score += WordEnd(state, &state);
  if (score == kNegInf || lm_ == nullptr) return score;
  return score + lm_->EndScore(LmState(state));
}

}  // namespace auris::nn
