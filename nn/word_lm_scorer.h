// Shallow fusion of a word n-gram LM into CTC decoding over a character vocabulary: at each
// word separator (and at the end) adds lm_weight * ln P(word | history) + word_insertion_bonus.
// The 64-bit state packs the LM state (high 32 bits) and the node of the partial word in a
// byte trie of the LM vocabulary (low 32 bits), so the scorer is immutable after Create and
// one instance serves any number of streams and threads. Spellings outside the LM vocabulary
// score as <unk> (or ArpaLmConfig::oov_log_prob without <unk>).
#ifndef AURIS_NN_WORD_LM_SCORER_H_
#define AURIS_NN_WORD_LM_SCORER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/arpa_lm.h"
#include "nn/ctc_scorer.h"

namespace auris::nn {

struct WordLmScorerConfig {
  double lm_weight = 0.5;             // multiplies natural-log LM probabilities; >= 0
  double word_insertion_bonus = 0.0;  // natural-log bonus per completed word
  std::string word_separator = " ";   // text of the symbol that ends a word

  absl::Status Validate() const;
  std::string ToString() const;
};

class WordLmScorer : public CtcScorer {
 public:
  // `symbols[i]` is the UTF-8 text of symbol id i (the blank's entry is ignored); exactly one
  // symbol must equal config.word_separator. Symbol ids >= symbols.size() spell no LM word.
  static absl::StatusOr<std::unique_ptr<WordLmScorer>> Create(const WordLmScorerConfig& config,
                                                              std::shared_ptr<const ArpaLm> lm,
                                                              std::vector<std::string> symbols);

  uint64_t StartState() const override;
  double Score(uint64_t state, int32_t symbol, uint64_t* next_state) const override;
  double FinalScore(uint64_t state) const override;

  const WordLmScorerConfig& config() const { return config_; }
  const ArpaLm& lm() const { return *lm_; }

  // For scorers that spell words themselves (LexiconScorer): what Score adds when LM word
  // `word` (kNoWord or <s>/</s> = <unk>) completes after `lm_state`, bonus included; writes
  // the next LM state. And lm_weight * ln P(</s> | lm_state) (0 without </s>).
  double WordScore(ArpaLm::State lm_state, int32_t word, ArpaLm::State* next) const;
  double EndScore(ArpaLm::State lm_state) const;

 private:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kOutsideVocab = 0xFFFFFFFFu;  // partial word spells no LM word

  WordLmScorer(const WordLmScorerConfig& config, std::shared_ptr<const ArpaLm> lm,
               std::vector<std::string> symbols, int32_t separator);
  void AddWord(const std::string& spelling, int32_t word);
  uint32_t Walk(uint32_t node, const std::string& text) const;
  // Weighted score of completing the word at `node` after LM state `lm_state`.
  double NodeScore(ArpaLm::State lm_state, uint32_t node, ArpaLm::State* next) const;

  WordLmScorerConfig config_;
  std::shared_ptr<const ArpaLm> lm_;
  std::vector<std::string> symbols_;
  int32_t separator_;
  std::vector<int32_t> node_words_;               // LM word id ending at each trie node
  std::unordered_map<uint64_t, uint32_t> edges_;  // (node << 8 | byte) -> child node
};

}  // namespace auris::nn

#endif  // AURIS_NN_WORD_LM_SCORER_H_
