// Checks an EmotionConfig and resolves its model; converts emotion results to auris.v1.
// Thread-safe.
#ifndef AURIS_SERVER_EMOTION_OPTIONS_H_
#define AURIS_SERVER_EMOTION_OPTIONS_H_

#include "absl/status/statusor.h"
#include "auris/v1/emotion.pb.h"
#include "dsp/audio_format.h"
#include "models/emotion/emotion_pipeline.h"
#include "models/model_registry.h"

namespace auris::server {

struct EmotionOptions {
  const models::EmotionPipeline* pipeline = nullptr;
  dsp::AudioFormat input;
  int frame_period_ms = 0;  // as requested; 0 = the model's native period
};

// FAILED_PRECONDITION when no emotion model is loaded, NOT_FOUND for an unknown model,
// INVALID_ARGUMENT for a bad format or a frame_period_ms that is not a multiple of the model's.
absl::StatusOr<EmotionOptions> ResolveEmotionOptions(const v1::EmotionConfig& config,
                                                     const models::ModelRegistry& registry);

void ToProto(const models::EmotionFrame& frame, v1::EmotionFrame* out);
void ToProto(const models::EmotionSummary& summary, v1::EmotionSummary* out);

}  // namespace auris::server

#endif  // AURIS_SERVER_EMOTION_OPTIONS_H_
