// Checks a RecognitionConfig (and the streaming extras) and resolves its model, input format
// and per-stream recognition options; converts recognition results to auris.v1 messages.
// Pure functions; thread-safe.
#ifndef AURIS_SERVER_SPEECH_OPTIONS_H_
#define AURIS_SERVER_SPEECH_OPTIONS_H_

#include "absl/status/statusor.h"
#include "auris/v1/speech.pb.h"
#include "dsp/audio_format.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_result.h"
#include "models/model_registry.h"

namespace auris::server {

struct SpeechOptions {
  const models::AsrPipeline* pipeline = nullptr;
  dsp::AudioFormat input;
  models::AsrStreamOptions stream;  // input_rate_hz is set once the audio's rate is known
  bool word_time_offsets = false;
  bool word_confidence = false;
};

// INVALID_ARGUMENT naming the field and what is allowed (format, max_alternatives, decoding,
// speech_contexts, endpointing), NOT_FOUND for an unknown model, FAILED_PRECONDITION when no
// asr model is loaded. `endpointing` is null for unary calls (defaults apply).
absl::StatusOr<SpeechOptions> ResolveSpeechOptions(const v1::RecognitionConfig& config,
                                                   const v1::EndpointingConfig* endpointing,
                                                   const models::ModelRegistry& registry);

// One result as the API sends it: words only when time offsets or word confidence were asked
// for, stability only for interim results.
v1::SpeechRecognitionResult ToProto(const models::AsrResult& result, const SpeechOptions& options);

}  // namespace auris::server

#endif  // AURIS_SERVER_SPEECH_OPTIONS_H_
