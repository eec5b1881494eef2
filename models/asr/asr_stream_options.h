// Per-stream recognition settings (from a request's RecognitionConfig), with the model's
// defaults resolved by AsrPipeline::CreateStream. Plain value type.
#ifndef AURIS_MODELS_ASR_ASR_STREAM_OPTIONS_H_
#define AURIS_MODELS_ASR_ASR_STREAM_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace auris::models {

struct AsrPhraseContext {
  std::vector<std::string> phrases;  // lowercase words; spelled with the model's symbols
  double boost = 0.0;                // natural-log bonus per completed word, 0..20
  bool restrict = false;             // output may only be sequences of these phrases
};

struct AsrEndpointing {
  int min_trailing_silence_ms = 0;  // 0 = default (800); else 100..60000
  int max_utterance_ms = 0;         // 0 = default (30000); else 1000..300000
  // Ends utterances at all (false: the whole stream is one utterance, e.g. for tests).
  bool enabled = true;
};

struct AsrStreamOptions {
  static constexpr int kMaxBeamSize = 128;
  static constexpr int kMaxAlternatives = 10;
  static constexpr double kMaxBoost = 20.0;
  static constexpr double kMaxLmWeight = 10.0;
  static constexpr double kMaxWordBonus = 20.0;
  static constexpr int kDefaultTrailingSilenceMs = 800;
  static constexpr int kDefaultMaxUtteranceMs = 30000;

  int input_rate_hz = 16000;                   // 8000..48000
  int beam_size = 0;                           // 0 = model default; 1 = greedy; ..kMaxBeamSize
  std::optional<double> lm_weight;             // unset = model default; 0..kMaxLmWeight
  std::optional<double> word_insertion_bonus;  // unset = model default; |x| <= kMaxWordBonus
  // Beam-search pruning, unset = the model's (decoder.symbol_min_log_prob <= 0,
  // decoder.beam_threshold > 0 nats). Not in auris.v1: for offline tools and tuning.
  std::optional<double> symbol_min_log_prob;
  std::optional<double> beam_threshold;
  // With a lexicon: cost of one word outside it (>= 0; +inf = lexicon words only); unset =
  // the model's decoder.oov_penalty. Not in auris.v1 either.
  std::optional<double> oov_penalty;
  int max_alternatives = 1;  // 1..kMaxAlternatives
  std::vector<AsrPhraseContext> contexts;
  AsrEndpointing endpointing;

  // INVALID_ARGUMENT naming the field (as in auris.v1.RecognitionConfig) and what is allowed.
  absl::Status Validate() const;
  std::string ToString() const;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_STREAM_OPTIONS_H_
