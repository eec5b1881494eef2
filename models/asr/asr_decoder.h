// Per-stream CTC decoding of one utterance at a time: prefix beam search with the shared LM
// scorer and the request's phrase boost / grammar scorers (or greedy best path when the beam
// is 1), advanced frame block by frame block and never re-decoded; Reset() between
// utterances. Keeps the utterance's log-probabilities for the word alignment of finals.
// Owned by one AsrStream; not thread-safe.
#ifndef AURIS_MODELS_ASR_ASR_DECODER_H_
#define AURIS_MODELS_ASR_ASR_DECODER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "models/asr/asr_result.h"
#include "models/asr/asr_stream_options.h"
#include "nn/ctc_prefix_beam_search.h"
#include "nn/phrase_boost_scorer.h"
#include "nn/phrase_grammar_scorer.h"

namespace auris::models {

class AsrPipeline;

class AsrDecoder {
 public:
  // `options` must be valid; INVALID_ARGUMENT when a phrase cannot be spelled.
  static absl::StatusOr<std::unique_ptr<AsrDecoder>> Create(const AsrPipeline& pipeline,
                                                            const AsrStreamOptions& options);

  // `log_probs` is (num_frames, V), natural log.
  absl::Status Advance(std::span<const float> log_probs, int num_frames);
  void Reset();
  int frames() const { return frames_; }
  bool greedy() const { return search_ == nullptr; }

  // Best hypotheses so far (interim: no words; stability from the beam's common prefix).
  AsrResult Interim() const;
  // The utterance as final: alternatives with confidences and aligned words. Times are
  // relative to the utterance start (the caller offsets them).
  AsrResult Final() const;

 private:
  struct Hyp {
    std::vector<int32_t> symbols;
    std::vector<int32_t> frames;
    double score = 0.0;
  };
  explicit AsrDecoder(const AsrPipeline* pipeline) : pipeline_(pipeline) {}
  std::vector<Hyp> Hypotheses() const;

  const AsrPipeline* const pipeline_;
  int max_alternatives_ = 1;
  std::shared_ptr<const nn::CtcScorer> lm_;
  std::unique_ptr<nn::PhraseBoostScorer> boost_;
  std::unique_ptr<nn::PhraseGrammarScorer> grammar_;
  std::unique_ptr<nn::CtcPrefixBeamSearch> search_;  // null: greedy
  std::unique_ptr<nn::CtcBeamStream> beam_;
  // Greedy state.
  std::vector<int32_t> greedy_symbols_;
  std::vector<int32_t> greedy_frames_;
  int32_t greedy_last_ = -1;
  std::vector<float> log_probs_;  // (frames_, V) of the utterance
  int frames_ = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_DECODER_H_
