// SpeechContext restrict as a CtcScorer: the output may only be a sequence of the listed
// phrases separated by the word separator (or nothing at all). Every other symbol scores -inf,
// and FinalScore is -inf unless the prefix ends at a phrase end (a trailing separator is
// allowed). Built at Create as a deterministic automaton over the phrase trie (subset
// construction, so a phrase that is a prefix of another one needs no look-ahead); then
// Score is one table lookup. Immutable after Create; see PhraseTrieScorer for composition
// with an inner scorer (e.g. the word LM) and thread-safety.
#ifndef AURIS_NN_PHRASE_GRAMMAR_SCORER_H_
#define AURIS_NN_PHRASE_GRAMMAR_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nn/phrase_trie_scorer.h"

namespace auris::nn {

class PhraseGrammarScorer : public PhraseTrieScorer {
 public:
  static constexpr int kMaxStates = 1 << 18;

  // `symbols[i]` is the text of symbol id i; exactly one equals `separator`. `inner` (not
  // owned, may be null) is scored too. INVALID_ARGUMENT for no phrases, an unspellable phrase,
  // a missing separator, or an automaton of more than kMaxStates states.
  static absl::StatusOr<std::unique_ptr<PhraseGrammarScorer>> Create(
      const std::vector<std::string>& phrases, const std::vector<std::string>& symbols,
      int32_t blank, const std::string& separator = " ", const CtcScorer* inner = nullptr);

  int num_states() const { return static_cast<int>(accepting_.size()); }

 private:
  static constexpr int32_t kDead = -1;

  PhraseGrammarScorer(const CtcScorer* inner, int vocab_size)
      : PhraseTrieScorer(inner), vocab_size_(vocab_size) {}
  uint32_t OwnStartState() const override { return 0; }
  double OwnScore(uint32_t own, int32_t symbol, uint32_t* next_own) const override;
  double OwnFinalScore(uint32_t own) const override;

  int vocab_size_;
  std::vector<int32_t> next_;    // (states, vocab_size) transition table; kDead = forbidden
  std::vector<bool> accepting_;  // per state
};

}  // namespace auris::nn

#endif  // AURIS_NN_PHRASE_GRAMMAR_SCORER_H_
