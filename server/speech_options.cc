#include "server/speech_options.h"

#include "absl/strings/str_cat.h"
#include "models/asr/asr_stream.h"
#include "server/audio_format_convert.h"
#include "server/proto_time.h"

namespace auris::server {

absl::StatusOr<SpeechOptions> ResolveSpeechOptions(const v1::RecognitionConfig& config,
                                                   const v1::EndpointingConfig* endpointing,
                                                   const models::ModelRegistry& registry) {
  SpeechOptions options;
  absl::StatusOr<dsp::AudioFormat> input = FromProto(config.format(), "config.format");
  if (!input.ok()) return input.status();
  options.input = *input;
  models::AsrStreamOptions& s = options.stream;
  const int alternatives = config.max_alternatives();
  if (alternatives < 0 || alternatives > models::AsrStreamOptions::kMaxAlternatives) {
    return absl::InvalidArgumentError(absl::StrCat("config.max_alternatives is ", alternatives,
                                                   "; allowed: 0 or 1 (one) .. ",
                                                   models::AsrStreamOptions::kMaxAlternatives));
  }
  s.max_alternatives = alternatives == 0 ? 1 : alternatives;
  const v1::DecodingConfig& decoding = config.decoding();
  s.beam_size = decoding.beam_size();
  if (decoding.has_lm_weight()) s.lm_weight = decoding.lm_weight();
  if (decoding.has_word_insertion_bonus()) {
    s.word_insertion_bonus = decoding.word_insertion_bonus();
  }
  for (const v1::SpeechContext& c : config.speech_contexts()) {
    s.contexts.push_back({std::vector<std::string>(c.phrases().begin(), c.phrases().end()),
                          c.boost(), c.restrict()});
  }
  if (endpointing != nullptr) {
    s.endpointing.min_trailing_silence_ms = endpointing->min_trailing_silence_ms();
    s.endpointing.max_utterance_ms = endpointing->max_utterance_ms();
  }
  if (absl::Status status = s.Validate(); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config.", std::string(status.message())));
  }
  options.word_time_offsets = config.enable_word_time_offsets();
  options.word_confidence = config.enable_word_confidence();
  absl::StatusOr<const models::AsrPipeline*> pipeline = registry.FindAsr(config.model());
  if (!pipeline.ok()) return pipeline.status();
  options.pipeline = *pipeline;
  // Phrases are spelled with the model's symbols: check them now, not at the first audio.
  absl::StatusOr<std::unique_ptr<models::AsrStream>> probe = options.pipeline->CreateStream(s);
  if (!probe.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.", std::string(probe.status().message())));
  }
  return options;
}

v1::SpeechRecognitionResult ToProto(const models::AsrResult& result, const SpeechOptions& options) {
  v1::SpeechRecognitionResult out;
  for (const models::AsrAlternative& a : result.alternatives) {
    v1::SpeechRecognitionAlternative* alt = out.add_alternatives();
    alt->set_transcript(a.transcript);
    alt->set_confidence(a.confidence);
    if (!options.word_time_offsets && !options.word_confidence) continue;
    for (const models::AsrWord& w : a.words) {
      v1::WordInfo* word = alt->add_words();
      word->set_word(w.word);
      if (options.word_time_offsets) {
        SetDuration(w.start_ns, word->mutable_start_offset());
        SetDuration(w.end_ns, word->mutable_end_offset());
      }
      if (options.word_confidence) word->set_confidence(w.confidence);
    }
  }
  out.set_is_final(result.is_final);
  if (!result.is_final) out.set_stability(result.stability);
  SetDuration(result.start_ns, out.mutable_result_start_offset());
  SetDuration(result.end_ns, out.mutable_result_end_offset());
  return out;
}

}  // namespace auris::server
