// SpeechContext boost as a CtcScorer: phrases are favoured while they are being spelled, and
// the bonus is taken back if the phrase is not completed. A phrase may start at any word
// start; it is completed when its last symbol is followed by the word separator or the end
// of the utterance (so "cat" is not completed inside "cats").
//
// Definition (natural-log units). A phrase p of words w_1..w_n with boost b_p earns, at a
// prefix spelling w_1..w_{k-1} and the first c symbols of w_k,
//   value_p = b_p * (k - 1 + c / |w_k|),
// i.e. b_p per completed word, spread evenly over its symbols. Each trie node's potential is
// the max of value_p over the phrases through it and its parent's potential (non-decreasing
// along a path). Each step scores potential(next) - potential(current); on completion the
// prefix keeps reward = max b_p * n_p over the phrases ending there (a potential above that
// is taken back); on failure it keeps only the reward of the last phrase completed on the
// current path (if a longer phrase was being tried), i.e. it loses potential - committed.
//
// Immutable after Create; see PhraseTrieScorer for composition and thread-safety.
#ifndef AURIS_NN_PHRASE_BOOST_SCORER_H_
#define AURIS_NN_PHRASE_BOOST_SCORER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nn/phrase_trie_scorer.h"

namespace auris::nn {

struct BoostedPhrase {
  std::string text;    // words, e.g. "turn left"
  double boost = 0.0;  // natural-log bonus per completed word, >= 0
};

class PhraseBoostScorer : public PhraseTrieScorer {
 public:
  // `symbols[i]` is the text of symbol id i; exactly one equals `separator`. `inner` (not
  // owned, may be null) is scored too. INVALID_ARGUMENT for an unspellable or empty phrase, a
  // negative or non-finite boost, or a missing separator.
  static absl::StatusOr<std::unique_ptr<PhraseBoostScorer>> Create(
      const std::vector<BoostedPhrase>& phrases, const std::vector<std::string>& symbols,
      int32_t blank, const std::string& separator = " ", const CtcScorer* inner = nullptr);

  int num_nodes() const { return static_cast<int>(nodes_.size()); }

 private:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kOutside = 0xFFFFFFFFu;  // inside a word no phrase starts with
  struct NodeValue {
    double potential = 0.0;
    double committed = 0.0;   // reward of the last phrase completed on the path since the root
    double reward = -1.0;     // >= 0 where a phrase ends
    bool word_start = false;  // root, or reached by the separator
  };

  PhraseBoostScorer(const CtcScorer* inner, int32_t separator)
      : PhraseTrieScorer(inner), separator_(separator) {}
  uint32_t OwnStartState() const override { return kRoot; }
  double OwnScore(uint32_t own, int32_t symbol, uint32_t* next_own) const override;
  double OwnFinalScore(uint32_t own) const override;
  double Restart(int32_t symbol, uint32_t* next_own) const;

  int32_t separator_;
  PhraseTrie trie_;
  std::vector<NodeValue> nodes_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_PHRASE_BOOST_SCORER_H_
