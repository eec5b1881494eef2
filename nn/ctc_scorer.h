// Hook for scoring CTC prefixes beyond the acoustic model: word n-gram LMs (shallow fusion),
// lexicon tries, hotword boosting. The beam search calls Score once per new prefix, i.e. per
// emitted symbol; word-level scorers keep the partial word in their state and return a
// non-zero score at word-boundary symbols. Scores are natural-log values already weighted
// (lm_weight, word_insertion_bonus live in the scorer). Implementations must be immutable
// and thread-safe: all per-prefix data lives in the 64-bit state the decoder carries.
#ifndef AURIS_NN_CTC_SCORER_H_
#define AURIS_NN_CTC_SCORER_H_

#include <cstdint>

namespace auris::nn {

class CtcScorer {
 public:
  virtual ~CtcScorer() = default;

  // State of the empty prefix (e.g. the LM's <s> context).
  virtual uint64_t StartState() const = 0;
  // Log-score added when `symbol` extends a prefix in `state`; writes the extended state.
  // -inf forbids the extension (e.g. a word outside a restricting lexicon).
  virtual double Score(uint64_t state, int32_t symbol, uint64_t* next_state) const = 0;
  // Log-score added at the end of the utterance (e.g. the last word and </s>).
  virtual double FinalScore(uint64_t state) const = 0;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_SCORER_H_
