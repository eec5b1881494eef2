#include "models/asr/asr_stream_options.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::models {
namespace {

absl::Status Bad(const std::string& what) { return absl::InvalidArgumentError(what); }

}  // namespace

absl::Status AsrStreamOptions::Validate() const {
  if (input_rate_hz < 8000 || input_rate_hz > 48000) {
    return Bad(
        absl::StrCat("sample rate ", input_rate_hz, " Hz is not allowed; allowed: 8000..48000"));
  }
  if (beam_size < 0 || beam_size > kMaxBeamSize) {
    return Bad(absl::StrCat("decoding.beam_size is ", beam_size,
                            "; allowed: 0 (the model's default), 1 (greedy) .. ", kMaxBeamSize));
  }
  if (lm_weight && (!std::isfinite(*lm_weight) || *lm_weight < 0.0 || *lm_weight > kMaxLmWeight)) {
    return Bad(absl::StrCat("decoding.lm_weight is ", *lm_weight,
                            "; allowed: 0 (no language model) .. ", kMaxLmWeight,
                            ", or unset for the model's default"));
  }
  if (word_insertion_bonus &&
      (!std::isfinite(*word_insertion_bonus) || std::abs(*word_insertion_bonus) > kMaxWordBonus)) {
    return Bad(absl::StrCat("decoding.word_insertion_bonus is ", *word_insertion_bonus,
                            "; allowed: -", kMaxWordBonus, " .. ", kMaxWordBonus,
                            ", or unset for the model's default"));
  }
  if (symbol_min_log_prob && (!std::isfinite(*symbol_min_log_prob) || *symbol_min_log_prob > 0.0)) {
    return Bad(absl::StrCat("symbol_min_log_prob is ", *symbol_min_log_prob,
                            "; allowed: a finite log-probability <= 0, or unset"));
  }
  if (beam_threshold && (!std::isfinite(*beam_threshold) || *beam_threshold <= 0.0)) {
    return Bad(absl::StrCat("beam_threshold is ", *beam_threshold,
                            "; allowed: a finite number of nats > 0, or unset"));
  }
  if (oov_penalty && !(*oov_penalty >= 0.0)) {
    return Bad(absl::StrCat("oov_penalty is ", *oov_penalty,
                            "; allowed: >= 0 (+inf: lexicon words only), or unset"));
  }
  if (max_alternatives < 1 || max_alternatives > kMaxAlternatives) {
    return Bad(absl::StrCat("max_alternatives is ", max_alternatives, "; allowed: 0 or 1 (one) .. ",
                            kMaxAlternatives));
  }
  for (size_t i = 0; i < contexts.size(); ++i) {
    const AsrPhraseContext& c = contexts[i];
    const std::string where = absl::StrCat("speech_contexts[", i, "]");
    if (!std::isfinite(c.boost) || c.boost < 0.0 || c.boost > kMaxBoost) {
      return Bad(absl::StrCat(where, ".boost is ", c.boost, "; allowed: 0..", kMaxBoost));
    }
    if (c.phrases.empty()) {
      return Bad(absl::StrCat(where, ".phrases is empty; give at least one phrase"));
    }
    if (!c.restrict && c.boost == 0.0) {
      return Bad(absl::StrCat(where,
                              " has boost 0 and restrict false, so it would do nothing; "
                              "set a boost in (0, ",
                              kMaxBoost, "] or restrict"));
    }
  }
  const int silence = endpointing.min_trailing_silence_ms;
  if (silence != 0 && (silence < 100 || silence > 60000)) {
    return Bad(absl::StrCat("endpointing.min_trailing_silence_ms is ", silence,
                            "; allowed: 0 (default ", kDefaultTrailingSilenceMs,
                            ") or 100..60000"));
  }
  const int longest = endpointing.max_utterance_ms;
  if (longest != 0 && (longest < 1000 || longest > 300000)) {
    return Bad(absl::StrCat("endpointing.max_utterance_ms is ", longest, "; allowed: 0 (default ",
                            kDefaultMaxUtteranceMs, ") or 1000..300000"));
  }
  if (beam_size == 1) {
    if (!contexts.empty()) {
      return Bad(
          "speech_contexts need beam search, but decoding.beam_size is 1 (greedy); use 0 "
          "(the model's default) or a beam of 2 or more");
    }
    if ((lm_weight && *lm_weight != 0.0) || word_insertion_bonus) {
      return Bad(
          "decoding.lm_weight and word_insertion_bonus need beam search, but "
          "decoding.beam_size is 1 (greedy); use 0 (the model's default) or 2 or more");
    }
  }
  return absl::OkStatus();
}

std::string AsrStreamOptions::ToString() const {
  std::string out =
      absl::StrCat("AsrStreamOptions(input_rate_hz=", input_rate_hz, ", beam_size=", beam_size,
                   ", lm_weight=", lm_weight ? absl::StrFormat("%g", *lm_weight) : "default",
                   ", word_insertion_bonus=",
                   word_insertion_bonus ? absl::StrFormat("%g", *word_insertion_bonus) : "default",
                   ", max_alternatives=", max_alternatives, ", contexts=", contexts.size());
  absl::StrAppend(&out, ", min_trailing_silence_ms=", endpointing.min_trailing_silence_ms,
                  ", max_utterance_ms=", endpointing.max_utterance_ms,
                  ", endpointing=", endpointing.enabled ? "on" : "off", ")");
  return out;
}

}  // namespace auris::models
