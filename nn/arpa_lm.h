// Word n-gram language model read from ARPA text or from its compiled binary form (LmBinary;
// orders 1-5, Katz-style back-off). Words get dense ids; n-grams are entries linked to their
// context (prefix) and their longest listed proper suffix, looked up by (context id, word id)
// in an open-addressing table of entry ids. Immutable after Parse/Load, safe to share across
// threads. All returned log-probabilities are natural log (ARPA stores log10).
#ifndef AURIS_NN_ARPA_LM_H_
#define AURIS_NN_ARPA_LM_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

struct ArpaLmConfig {
  // Natural-log probability of a word missing from the vocabulary when the model has no
  // <unk>; default ln(1e-10).
  double oov_log_prob = -23.025850929940457;

  absl::Status Validate() const;
  std::string ToString() const;
};

class ArpaLm {
 public:
  static constexpr int32_t kNoWord = -1;  // WordId of an unknown word when there is no <unk>
  // A state is the id of the longest listed suffix (<= order-1 words) of the history; 0 is the
  // empty history.
  using State = uint32_t;
  static constexpr State kEmptyState = 0;

  // INVALID_ARGUMENT naming the 1-based line and the problem for malformed text.
  static absl::StatusOr<std::unique_ptr<ArpaLm>> Parse(std::string_view text,
                                                       const ArpaLmConfig& config = {});
  // Reads ARPA text, or the binary form when the file starts with LmBinary's magic bytes.
  // NOT_FOUND if the file cannot be opened; errors are prefixed with the path.
  static absl::StatusOr<std::unique_ptr<ArpaLm>> Load(const std::string& path,
                                                      const ArpaLmConfig& config = {});

  int order() const { return order_; }
  int32_t vocab_size() const { return static_cast<int32_t>(words_.size()); }
  // Number of n-grams of `n` words listed in the file (1 <= n <= order()).
  int64_t num_ngrams(int n) const { return counts_[n - 1]; }
  // Id of `word`; unknown words map to <unk> if listed, else kNoWord.
  int32_t WordId(std::string_view word) const;
  const std::string& Word(int32_t id) const { return words_[id]; }
  int32_t unk_id() const { return unk_id_; }
  int32_t bos_id() const { return bos_id_; }  // <s>, or kNoWord
  int32_t eos_id() const { return eos_id_; }  // </s>, or kNoWord

  // ln P(word | history), history oldest first (only the last order()-1 words matter).
  double LogProb(std::span<const int32_t> history, int32_t word) const;

  // Incremental scoring: the state after <s> (kEmptyState if there is no <s>).
  State BeginSentenceState() const { return begin_state_; }
  // ln P(word | state); writes the state of history + word.
  double Score(State state, int32_t word, State* next) const;
  // Words of the history a state stands for, oldest first (for tests and debugging).
  std::vector<int32_t> StateWords(State state) const;
  // Approximate bytes held by the model (entries, lookup table, words and their index).
  std::size_t MemoryBytes() const;

 private:
  friend class LmBinary;
  struct Entry {
    int32_t word = kNoWord;
    uint32_t context = 0;  // entry of the first n-1 words
    uint32_t suffix = 0;   // entry of the longest listed proper suffix
    int32_t order = 0;
    float log_prob = 0.0f;  // natural log
    float backoff = 0.0f;   // natural log
  };
  class Parser;

  ArpaLm() = default;
  // Slot of (context, word) in a table of `mask + 1` slots (part of the binary format).
  static uint64_t Slot(uint32_t context, int32_t word, uint64_t mask) {
    const uint64_t key = (static_cast<uint64_t>(context) << 32) | static_cast<uint32_t>(word);
    return (key * 0x9E3779B97F4A7C15ull) >> 32 & mask;
  }
  // Entry of context + word, or 0 when not listed.
  uint32_t Find(uint32_t context, int32_t word) const;
  // Adds entries_.back() to table_, doubling the table to keep it at most half full.
  void Insert(uint32_t id);
  // Resolves <unk>, <s>, </s> from word_ids_ and the state after <s>.
  void ResolveSpecialWords();
  // Entry of the word sequence, or 0 when not listed.
  uint32_t FindSequence(std::span<const int32_t> words) const;

  ArpaLmConfig config_;
  int order_ = 0;
  std::vector<int64_t> counts_;
  std::vector<std::string> words_;
  std::unordered_map<std::string, int32_t> word_ids_;
  int32_t unk_id_ = kNoWord;
  int32_t bos_id_ = kNoWord;
  int32_t eos_id_ = kNoWord;
  State begin_state_ = kEmptyState;
  std::vector<Entry> entries_;   // [0] is the empty history
  std::vector<uint32_t> table_;  // power-of-two slots of entry ids, 0 = empty, linear probing
};

}  // namespace auris::nn

#endif  // AURIS_NN_ARPA_LM_H_
