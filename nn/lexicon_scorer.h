// Lexicon constraint as a CtcScorer: the output may only be lexicon words separated by the word
// separator. A symbol that leads the partial word off every lexicon spelling scores -inf, and
// so does a separator (or the end of the utterance) after a partial word that is not a whole
// lexicon word. Words live in a byte trie and a symbol's text is walked byte by byte, so
// multi-character symbols work. With a WordLmScorer, each completed word also gets its LM score
// (the word's LM id, <unk> when the LM lacks it): one scorer, whose 64-bit state is
// (LM state << 32 | trie node), so it is immutable after Create, takes no locks and serves any
// number of streams and threads. Without an LM the state is the trie node. Phrase scorers may
// wrap it as their inner scorer: boost(lexicon(LM)).
#ifndef AURIS_NN_LEXICON_SCORER_H_
#define AURIS_NN_LEXICON_SCORER_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/arpa_lm.h"
#include "nn/ctc_scorer.h"
#include "nn/word_lm_scorer.h"

namespace auris::nn {

class LexiconScorer : public CtcScorer {
 public:
  // `symbols[i]` is the text of symbol id i (the blank's entry is never scored); exactly one
  // equals `separator`. Words are matched byte for byte (no case folding); empty words and
  // words containing the separator are skipped. `lm` (not owned, may be null) must outlive
  // the scorer and use the same separator. `oov_penalty` (natural log, >= 0): +inf keeps the
  // output to lexicon words; a finite value lets any other spelling through as one unknown
  // word that costs the penalty once (when its spelling leaves the trie, or at its end for a
  // lexicon prefix that is no word) and is scored by the LM as <unk>. INVALID_ARGUMENT for no
  // usable word, a missing or doubled separator, an LM with another separator, or a negative
  // or NaN penalty.
  static absl::StatusOr<std::unique_ptr<LexiconScorer>> Create(
      const std::vector<std::string>& words, std::vector<std::string> symbols,
      const std::string& separator = " ", const WordLmScorer* lm = nullptr,
      double oov_penalty = std::numeric_limits<double>::infinity());

  // Words of a word-list file, one per line: the first whitespace-separated field (so
  // pronunciation lexicons work too); blank lines skipped. NOT_FOUND if it cannot be read.
  static absl::StatusOr<std::vector<std::string>> ReadWordList(const std::string& path);
  // The LM's 1-gram vocabulary without <s>, </s> and <unk>.
  static std::vector<std::string> LmWords(const ArpaLm& lm);

  uint64_t StartState() const override;
  double Score(uint64_t state, int32_t symbol, uint64_t* next_state) const override;
  double FinalScore(uint64_t state) const override;

  int num_words() const { return num_words_; }
  int num_nodes() const { return static_cast<int>(node_word_.size()); }

 private:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kDead = 0xFFFFFFFFu;
  static constexpr uint32_t kOov = 0xFFFFFFFEu;  // inside a word outside the lexicon
  static constexpr int32_t kNotWord = -2;        // node_word_ of a node where no word ends

  LexiconScorer(std::vector<std::string> symbols, int32_t separator, const WordLmScorer* lm,
                double oov_penalty)
      : symbols_(std::move(symbols)), separator_(separator), lm_(lm), oov_penalty_(oov_penalty) {}
  uint32_t Walk(uint32_t node, const std::string& text) const;
  // Score of completing the word at `node`; writes the next state. -inf if no word ends there.
  double WordEnd(uint64_t state, uint64_t* next_state) const;

  std::vector<std::string> symbols_;
  int32_t separator_;
  const WordLmScorer* lm_;
  double oov_penalty_;  // +inf: closed vocabulary
  int num_words_ = 0;
  // Byte trie in CSR form: node n's edges are [first_edge_[n], first_edge_[n + 1]), by byte.
  std::vector<uint32_t> first_edge_;
  std::vector<unsigned char> edge_byte_;
  std::vector<uint32_t> edge_child_;
  std::vector<int32_t> node_word_;  // LM word id (kNoWord = <unk>; 0 without LM) or kNotWord
};

}  // namespace auris::nn

#endif  // AURIS_NN_LEXICON_SCORER_H_
