#include "server/emotion_options.h"

#include "absl/strings/str_cat.h"
#include "server/audio_format_convert.h"
#include "server/proto_time.h"

namespace auris::server {
absl::StatusOr<EmotionOptions> ResolveEmotionOptions(const v1::EmotionConfig& config,
                                                     const models::ModelRegistry& registry) {
  EmotionOptions options;
  absl::StatusOr<const models::EmotionPipeline*> pipeline = registry.FindEmotion(config.model());
  if (!pipeline.ok()) return pipeline.status();
  options.pipeline = *pipeline;
  absl::StatusOr<dsp::AudioFormat> input = FromProto(config.format(), "config.format");
  if (!input.ok()) return input.status();
  options.input = *input;
  absl::StatusOr<int> frames = (*pipeline)->FramesPerReport(config.frame_period_ms());
  if (!frames.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config.", frames.status().message()));
  }
  options.frame_period_ms = config.frame_period_ms();
  return options;
}

void ToProto(const models::EmotionFrame& frame, v1::EmotionFrame* out) {
  SetDuration(frame.start_ns, out->mutable_start_offset());
  SetDuration(frame.end_ns, out->mutable_end_offset());
  out->set_arousal(frame.arousal);
  out->set_valence(frame.valence);
}

void ToProto(const models::EmotionSummary& summary, v1::EmotionSummary* out) {
  out->set_arousal(summary.arousal);
  out->set_valence(summary.valence);
  SetDuration(summary.speech_ns, out->mutable_speech_duration());
}

}  // namespace auris::server
