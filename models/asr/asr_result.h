// What an AsrStream reports: results per utterance (interim or final) and speech-activity
// events. Times are nanoseconds from the start of the stream's audio. Plain value types.
#ifndef AURIS_MODELS_ASR_ASR_RESULT_H_
#define AURIS_MODELS_ASR_ASR_RESULT_H_

#include <cstdint>
#include <string>
#include <vector>

namespace auris::models {

struct AsrWord {
  std::string word;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  // Mean over the word's symbols of the symbol's peak frame posterior within its aligned
  // frames (best-path Viterbi alignment); 0..1, not yet calibrated.
  float confidence = 0.0f;
};

struct AsrAlternative {
  std::string transcript;  // words joined by single spaces
  // Posterior of this hypothesis among the beam's hypotheses (softmax of their total scores);
  // with greedy decoding, the mean word confidence (1 for an empty transcript). 0..1.
  float confidence = 0.0f;
  std::vector<AsrWord> words;  // finals only
  double score = 0.0;          // decoder score (acoustic + LM + context), natural log
};

struct AsrResult {
  std::vector<AsrAlternative> alternatives;  // best first; may be empty (nothing recognised)
  bool is_final = false;
  // Interim only: the share of the best transcript's characters inside the stable prefix
  // (text every beam hypothesis agrees on, which no later audio can change).
  float stability = 0.0f;
  std::string stable_prefix;  // interim only: that text (whole words)
  int64_t start_ns = 0;       // utterance start
  int64_t end_ns = 0;         // utterance end (interim: audio decoded so far)
};

struct AsrEvent {
  enum class Type { kSpeechBegin, kSpeechEnd, kFinal };
  Type type = Type::kFinal;
  int64_t offset_ns = 0;  // begin: first speech frame; end: one past the last speech frame
  AsrResult result;       // kFinal only
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_RESULT_H_
