// Speech recognition with a model file of task "asr" (front end "logmel", global CMVN in
// tensors cmvn.mean / cmvn.std, a network ending in (log_)softmax over the vocabulary, which
// holds a blank ("<blank>") and the word separator " ") and an optional word n-gram LM
// (ARPA). The model describes itself: sample rate, front end, subsampling and so the frame
// shift (hop x subsampling / rate, 40 ms for the shipped model), and decoder defaults in its
// metadata ("decoder": {"beam", "lm_weight", "word_insertion_bonus", "lexicon"}). An optional
// lexicon (a word list, or decoder.lexicon "lm": the LM's 1-grams) restricts beam-search
// output to its words: the decoder's scorer becomes lexicon(LM) (nn::LexiconScorer).
// AsrPipeline is immutable after Create (apart from an internal, locked cache of LM scorers
// per weight pair) and thread-safe; each AsrStream belongs to one thread at a time.
#ifndef AURIS_MODELS_ASR_ASR_PIPELINE_H_
#define AURIS_MODELS_ASR_ASR_PIPELINE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dsp/feature_extractor.h"
#include "models/asr/asr_stream_options.h"
#include "models/asr/word_alignment.h"
#include "models/model_info.h"
#include "nn/arpa_lm.h"
#include "nn/backend.h"
#include "nn/ctc_forced_aligner.h"
#include "nn/ctc_scorer.h"
#include "nn/network.h"
#include "nn/network_runner.h"

namespace auris::models {

class AsrStream;

struct AsrDecoderDefaults {
  int beam_size = 16;
  double lm_weight = 0.5;  // 0 when there is no LM
  double word_insertion_bonus = 0.0;
  // Word-confidence calibration fitted by the recipe on held-out data (metadata
  // decoder.confidence_calibration {"scale", "bias"}): p = sigmoid(scale * logit(raw) + bias).
  // The defaults leave the raw confidence unchanged.
  double confidence_scale = 1.0;
  double confidence_bias = 0.0;
  // Metadata decoder.lexicon "lm": constrain the output to the LM's 1-grams (needs an LM).
  bool lexicon_from_lm = false;
  // Beam-search pruning (nn::CtcPrefixBeamSearchConfig), metadata decoder.symbol_min_log_prob
  // (<= 0) and decoder.beam_threshold (> 0, nats); the defaults prune nothing.
  float symbol_min_log_prob = -std::numeric_limits<float>::infinity();
  double beam_threshold = std::numeric_limits<double>::infinity();
  // With a lexicon: cost (natural log) of one word outside it, metadata decoder.oov_penalty
  // (>= 0); +inf (the default) = lexicon words only (nn::LexiconScorer).
  double oov_penalty = std::numeric_limits<double>::infinity();
};

class AsrPipeline {
 public:
  enum class OutputKind { kLogProbs, kProbs, kLogits };  // what the last layer gives
  // Load's lexicon_path (and a descriptor's "lexicon") that means "no lexicon".
  static constexpr char kNoLexicon[] = "none";

  // `lm` may be null. `lexicon`: lexicon words (e.g. a descriptor's word list), overriding the
  // model file's decoder.lexicon; nullopt = none unless the model file asks for the LM's
  // 1-grams; an empty vector = no lexicon even if the model file asks for one. INVALID_ARGUMENT
  // naming the model and the problem (also for an empty lexicon, one no word of which the
  // vocabulary can spell, or a lexicon with a greedy default beam). `runner` executes the same
  // model file (LoadNeuralModel); null = `network` on the CPU.
  static absl::StatusOr<std::unique_ptr<AsrPipeline>> Create(
      ModelInfo info, std::unique_ptr<const nn::Network> network,
      std::shared_ptr<const nn::ArpaLm> lm,
      std::optional<std::vector<std::string>> lexicon = std::nullopt,
      std::unique_ptr<const nn::NetworkRunner> runner = nullptr);
  // Loads the model file for `backend` (LoadNeuralModel completes `info`) and, if not empty,
  // the LM (ARPA or binary) and the lexicon word list (LexiconScorer::ReadWordList format);
  // `lexicon_path` kNoLexicon ("none") turns the model file's decoder.lexicon off.
  // NOT_FOUND / INVALID_ARGUMENT naming the file; FAILED_PRECONDITION / UNIMPLEMENTED when
  // `backend` cannot run it.
  static absl::StatusOr<std::unique_ptr<AsrPipeline>> Load(
      ModelInfo info, const std::string& model_path, const std::string& lm_path,
      const std::string& lexicon_path = "", nn::BackendKind backend = nn::BackendKind::kCpu);

  // INVALID_ARGUMENT if `options` do not validate or their phrases cannot be spelled.
  absl::StatusOr<std::unique_ptr<AsrStream>> CreateStream(const AsrStreamOptions& options) const;

  const ModelInfo& info() const { return info_; }
  const nn::Network& network() const { return *network_; }
  // Executes the network on the backend chosen at load (streams and batchers call only this).
  const nn::NetworkRunner& runner() const { return *runner_; }
  // The log-mel front end with the model's global CMVN.
  const dsp::FeatureConfig& feature_config() const { return features_; }
  const SymbolTable& symbols() const { return symbols_; }
  const AsrDecoderDefaults& defaults() const { return defaults_; }
  const nn::CtcForcedAligner& aligner() const { return *aligner_; }
  OutputKind output_kind() const { return output_kind_; }
  bool has_lm() const { return lm_ != nullptr; }
  bool has_lexicon() const { return !lexicon_.empty(); }
  // Lexicon words as given (duplicates and words the scorer skips included); empty if none.
  const std::vector<std::string>& lexicon() const { return lexicon_; }
  int model_rate_hz() const { return features_.sample_rate; }
  int64_t frame_ns() const { return frame_ns_; }  // network output frame shift
  // Feature rows a fresh network state needs before its first output frame; every further
  // network().subsampling() rows give one more frame (found by probing the network at Create).
  int64_t first_output_rows() const { return first_output_rows_; }

  // Shallow-fusion scorer for these weights, shared and cached (at most 16 entries); null when
  // both are 0 and there is no lexicon. Without an LM, only the word bonus is applied
  // (lm_weight must be 0). With a lexicon: lexicon(LM), or the lexicon alone for (0, 0);
  // `extra_words` (e.g. the words of a request's speech-context phrases) join the lexicon for
  // this scorer, so a boosted or restricted phrase is never forbidden by it. Words already in
  // the lexicon are ignored; without a lexicon `extra_words` changes nothing. `oov_penalty`:
  // the lexicon's cost of an unknown word (nullopt = the model's default).
  absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> LmScorer(
      double lm_weight, double word_insertion_bonus,
      const std::vector<std::string>& extra_words = {},
      std::optional<double> oov_penalty = std::nullopt) const;
  // True if `word` is a lexicon word (byte for byte); false without a lexicon.
  bool InLexicon(const std::string& word) const;

 private:
  AsrPipeline() = default;

  ModelInfo info_;
  std::unique_ptr<const nn::Network> network_;
  std::unique_ptr<const nn::NetworkRunner> runner_;  // after network_: may point into it
  std::shared_ptr<const nn::ArpaLm> lm_;
  std::shared_ptr<const nn::ArpaLm> unk_only_lm_;  // for a word bonus without an LM
  std::vector<std::string> lexicon_;               // empty = no lexicon constraint
  std::unordered_set<std::string> lexicon_set_;    // the same words, for InLexicon
  dsp::FeatureConfig features_;
  SymbolTable symbols_;
  AsrDecoderDefaults defaults_;
  std::unique_ptr<nn::CtcForcedAligner> aligner_;
  OutputKind output_kind_ = OutputKind::kLogProbs;
  int64_t frame_ns_ = 0;
  int64_t first_output_rows_ = 1;
  mutable std::mutex cache_mu_;
  // Key: (lm_weight, bonus, extra words sorted and joined by '\n', oov_penalty).
  using ScorerKey = std::tuple<double, double, std::string, double>;
  mutable std::vector<std::pair<ScorerKey, std::shared_ptr<const nn::CtcScorer>>> scorer_cache_;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_PIPELINE_H_
