// CTC prefix beam search in log space: per prefix, the probability of paths ending in blank
// and in its last symbol, merged over all frame paths that collapse to it; n-best output.
// Input: log-probabilities (T, V) row-major, natural log, V = blank + symbols, fed whole or
// chunk by chunk into a per-stream CtcBeamStream. The decoder is immutable after Create and
// safe to share across threads; an optional CtcScorer (not owned, must outlive the decoder)
// adds LM / lexicon / hotword scores per emitted symbol.
#ifndef AURIS_NN_CTC_PREFIX_BEAM_SEARCH_H_
#define AURIS_NN_CTC_PREFIX_BEAM_SEARCH_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/ctc_beam_stream.h"
#include "nn/ctc_scorer.h"

namespace auris::nn {

struct CtcPrefixBeamSearchConfig {
  int blank = 0;       // index of the blank symbol in V
  int beam_size = 16;  // prefixes kept after each frame
  int nbest = 1;       // hypotheses returned, <= beam_size
  int top_k = 0;       // symbols tried per frame, highest first; 0 tries all V
  // Symbols with a frame log-probability below this are not tried (the frame's best symbol
  // always is); -inf disables the threshold.
  float min_symbol_log_prob = -std::numeric_limits<float>::infinity();
  // After each frame, prefixes whose score (acoustic + scorer) is more than this many nats
  // below the best are dropped even when the beam has room; +inf disables it. > 0.
  double beam_threshold = std::numeric_limits<double>::infinity();

  absl::Status Validate() const;
  std::string ToString() const;
};

struct CtcHypothesis {
  std::vector<int32_t> symbols;  // symbol ids, blanks and repeats collapsed
  std::vector<int32_t> frames;   // per symbol, the frame where most of its mass was emitted
  double log_prob = 0.0;         // acoustic log P(symbols | x) summed over the beam's paths
  double score = 0.0;            // log_prob + scorer scores (incl. final); ranks the n-best
};

class CtcPrefixBeamSearch {
 public:
  static absl::StatusOr<std::unique_ptr<CtcPrefixBeamSearch>> Create(
      const CtcPrefixBeamSearchConfig& config, const CtcScorer* scorer = nullptr);

  std::unique_ptr<CtcBeamStream> CreateStream() const;
  // Consumes `num_frames` more frames; never revisits earlier ones. INVALID_ARGUMENT on a
  // size mismatch, blank out of range, or a vocab_size different from earlier chunks.
  absl::Status Advance(std::span<const float> log_probs, int num_frames, int vocab_size,
                       CtcBeamStream* stream) const;
  // The best `nbest` hypotheses so far, best first, as if the utterance ended here.
  std::vector<CtcHypothesis> NBest(const CtcBeamStream& stream) const;
  // Whole-matrix convenience: CreateStream, Advance, NBest.
  absl::StatusOr<std::vector<CtcHypothesis>> Decode(std::span<const float> log_probs,
                                                    int num_frames, int vocab_size) const;

  const CtcPrefixBeamSearchConfig& config() const { return config_; }

 private:
  CtcPrefixBeamSearch(const CtcPrefixBeamSearchConfig& config, const CtcScorer* scorer)
      : config_(config), scorer_(scorer) {}
  void SelectSymbols(const float* row, int vocab_size, std::vector<int32_t>* symbols) const;
  void AdvanceFrame(const float* row, int frame, int vocab_size, CtcBeamStream* stream) const;

  CtcPrefixBeamSearchConfig config_;
  const CtcScorer* scorer_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_PREFIX_BEAM_SEARCH_H_
