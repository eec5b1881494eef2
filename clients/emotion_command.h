// `auris emotion IN... [--json] [--model NAME]`: arousal and valence of files or folders
// through auris.v1.Emotion.AnalyzeEmotion.
#ifndef AURIS_CLIENTS_EMOTION_COMMAND_H_
#define AURIS_CLIENTS_EMOTION_COMMAND_H_

#include <string>
#include <vector>

#include "clients/client_common.h"

namespace auris::client {

struct EmotionOptions {
  std::vector<std::string> inputs;  // files or folders
  std::string model;                // "" = server default
  int frame_period_ms = 0;          // 0 = the model's native period (40 ms)
};

// Per file: text "path<TAB>arousal A<TAB>valence V<TAB>speech S s" (the utterance summary);
// with --json one object per line, {"path", "summary": {arousal, valence, speech_seconds},
// "frames": [{start_seconds, end_seconds, arousal, valence}]}. Returns the exit code: 0, 1 when
// a call failed, 2 when an input does not exist.
int RunEmotion(const GlobalOptions& global, const EmotionOptions& options);

}  // namespace auris::client

#endif  // AURIS_CLIENTS_EMOTION_COMMAND_H_
