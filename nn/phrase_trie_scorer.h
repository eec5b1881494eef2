// Common base of the SpeechContext scorers (PhraseBoostScorer, PhraseGrammarScorer): phrases
// spelled as symbol-id sequences in a trie (words joined by the separator symbol), and
// composition with an optional inner CtcScorer (e.g. WordLmScorer), whose score is added to
// this scorer's own. Without an inner scorer the 64-bit state is the own 32-bit state; with
// one, (inner state, own state) pairs are interned in a table that grows by one entry per
// distinct pair seen (guarded by a mutex, so one instance may serve several threads; it is
// normally made per request, as its phrases come from the request).
#ifndef AURIS_NN_PHRASE_TRIE_SCORER_H_
#define AURIS_NN_PHRASE_TRIE_SCORER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nn/ctc_scorer.h"

namespace auris::nn {

// A phrase spelled in symbol ids: words separated by one separator symbol each.
using SpelledPhrase = std::vector<int32_t>;

// The words of `phrase` as SpellPhrase reads them: ASCII lowercase, split at whitespace.
std::vector<std::string> PhraseWords(const std::string& phrase);

// Lowercases ASCII letters, trims and collapses whitespace to one `separator` text, then
// spells the phrase with the longest matching entries of `symbols` (index = symbol id; the
// blank's entry must be "" or a name like "<blank>" that text never contains). INVALID_ARGUMENT
// naming the phrase and the first character no symbol spells, or for an empty phrase.
absl::StatusOr<SpelledPhrase> SpellPhrase(const std::string& phrase,
                                          const std::vector<std::string>& symbols, int32_t blank,
                                          const std::string& separator);

// Character trie of spelled phrases. Node 0 is the root.
struct PhraseTrie {
  struct Node {
    int32_t parent = -1;
    int32_t symbol = -1;                                // incoming symbol (-1 at the root)
    std::vector<std::pair<int32_t, int32_t>> children;  // (symbol, node), sorted by symbol
    std::vector<int32_t> phrases_through;  // indices of phrases whose spelling passes here
    std::vector<int32_t> phrases_ending;   // indices of phrases that end exactly here
  };
  std::vector<Node> nodes{Node{}};

  int32_t Child(int32_t node, int32_t symbol) const;        // -1 if none
  int32_t Add(const SpelledPhrase& phrase, int32_t index);  // returns the end node
};

class PhraseTrieScorer : public CtcScorer {
 public:
  uint64_t StartState() const final;
  double Score(uint64_t state, int32_t symbol, uint64_t* next_state) const final;
  double FinalScore(uint64_t state) const final;

  // Distinct (inner, own) state pairs interned so far (0 without an inner scorer).
  std::size_t interned_pairs() const;

 protected:
  // `inner` is not owned and must outlive this scorer; nullptr = none.
  explicit PhraseTrieScorer(const CtcScorer* inner) : inner_(inner) {}

  virtual uint32_t OwnStartState() const = 0;
  // Own log-score of `symbol` after `own`; -inf forbids it.
  virtual double OwnScore(uint32_t own, int32_t symbol, uint32_t* next_own) const = 0;
  virtual double OwnFinalScore(uint32_t own) const = 0;

 private:
  uint64_t Pack(uint64_t inner, uint32_t own) const;
  std::pair<uint64_t, uint32_t> Unpack(uint64_t state) const;

  const CtcScorer* const inner_;
  mutable std::mutex mu_;
  mutable std::vector<std::pair<uint64_t, uint32_t>> pairs_;
  struct PairHash {
    std::size_t operator()(const std::pair<uint64_t, uint32_t>& p) const {
      return std::hash<uint64_t>()(p.first * 0x9E3779B97F4A7C15ull ^ p.second);
    }
  };
  mutable std::unordered_map<std::pair<uint64_t, uint32_t>, uint64_t, PairHash> pair_ids_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_PHRASE_TRIE_SCORER_H_
