// Words of a CTC hypothesis with times and confidences, from the Viterbi (best path)
// alignment of its symbols to the utterance's frame log-probabilities. Pure functions;
// thread-safe.
#ifndef AURIS_MODELS_ASR_WORD_ALIGNMENT_H_
#define AURIS_MODELS_ASR_WORD_ALIGNMENT_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_result.h"
#include "nn/ctc_forced_aligner.h"

namespace auris::models {

struct SymbolTable {
  std::vector<std::string> symbols;  // text of each symbol id
  int32_t blank = 0;
  int32_t separator = -1;  // the word separator (" ")
};

// The hypothesis' words joined by single spaces (separators collapsed and trimmed).
std::string Transcript(std::span<const int32_t> hypothesis, const SymbolTable& table);

// `log_probs` is (num_frames, V) for one utterance whose frame 0 starts at `first_frame_ns`;
// frames are `frame_ns` apart. A word spans [start of its first symbol's first aligned frame,
// end of its last symbol's last aligned frame). Confidence: the mean over the word's symbols
// of exp(max log-prob of the symbol over its aligned frames). If the alignment is impossible
// (too few frames), each symbol is placed at `fallback_frames` (one frame each).
std::vector<AsrWord> AlignWords(std::span<const float> log_probs, int num_frames,
                                std::span<const int32_t> hypothesis,
                                std::span<const int32_t> fallback_frames, const SymbolTable& table,
                                const nn::CtcForcedAligner& aligner, int64_t first_frame_ns,
                                int64_t frame_ns);

// Platt-style calibration of a raw confidence in [0, 1]: sigmoid(scale * logit(raw) + bias),
// with raw clamped to [1e-6, 1 - 1e-6]. scale 1, bias 0 is the identity (up to the clamp).
float CalibrateConfidence(float raw, double scale, double bias);

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_WORD_ALIGNMENT_H_
