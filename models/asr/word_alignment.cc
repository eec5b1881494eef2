#include "models/asr/word_alignment.h"

#include <algorithm>
#include <cmath>

namespace auris::models {

std::string Transcript(std::span<const int32_t> hypothesis, const SymbolTable& table) {
  std::string out;
  bool pending_space = false;
  for (int32_t s : hypothesis) {
    if (s == table.separator) {
      pending_space = !out.empty();
      continue;
    }
    if (s < 0 || s >= static_cast<int32_t>(table.symbols.size()) || s == table.blank) continue;
    if (pending_space) out += ' ';
    pending_space = false;
    out += table.symbols[s];
  }
  return out;
}

std::vector<AsrWord> AlignWords(std::span<const float> log_probs, int num_frames,
                                std::span<const int32_t> hypothesis,
                                std::span<const int32_t> fallback_frames, const SymbolTable& table,
                                const nn::CtcForcedAligner& aligner, int64_t first_frame_ns,
                                int64_t frame_ns) {
  const int vocab = static_cast<int>(table.symbols.size());
  std::vector<int32_t> start(hypothesis.size()), end(hypothesis.size());
  absl::StatusOr<nn::CtcAlignment> alignment =
      aligner.Align(log_probs, num_frames, vocab, hypothesis);
  for (size_t i = 0; i < hypothesis.size(); ++i) {
    if (alignment.ok()) {
      start[i] = alignment->start_frames[i];
      end[i] = alignment->end_frames[i];
    } else {
      const int32_t f = i < fallback_frames.size()
                            ? std::clamp(fallback_frames[i], 0, std::max(0, num_frames - 1))
                            : 0;
      start[i] = end[i] = f;
    }
  }
  std::vector<AsrWord> words;
  AsrWord word;
  double confidence_sum = 0.0;
  int symbols_in_word = 0;
  auto finish_word = [&]() {
    if (symbols_in_word == 0) return;
    word.confidence = static_cast<float>(confidence_sum / symbols_in_word);
    words.push_back(word);
    word = AsrWord{};
    confidence_sum = 0.0;
    symbols_in_word = 0;
  };
  for (size_t i = 0; i < hypothesis.size(); ++i) {
    const int32_t s = hypothesis[i];
    if (s == table.separator) {
      finish_word();
      continue;
    }
    if (s < 0 || s >= vocab || s == table.blank) continue;
    if (symbols_in_word == 0) word.start_ns = first_frame_ns + start[i] * frame_ns;
    word.end_ns = first_frame_ns + (end[i] + 1) * frame_ns;
    word.word += table.symbols[s];
    float peak = -INFINITY;
    for (int32_t t = start[i]; t <= end[i] && t < num_frames; ++t) {
      peak = std::max(peak, log_probs[static_cast<size_t>(t) * vocab + s]);
    }
    confidence_sum += std::exp(static_cast<double>(peak));
    ++symbols_in_word;
  }
  finish_word();
  return words;
}

float CalibrateConfidence(float raw, double scale, double bias) {
  const double p = std::clamp(static_cast<double>(raw), 1e-6, 1.0 - 1e-6);
  const double z = scale * std::log(p / (1.0 - p)) + bias;
  return static_cast<float>(1.0 / (1.0 + std::exp(-z)));
}

}  // namespace auris::models
