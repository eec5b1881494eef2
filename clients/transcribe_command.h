// `auris transcribe IN...`: speech recognition of files or folders, unary (Recognize) or
// streaming (StreamingRecognize in chunk_ms chunks of LINEAR16 decoded locally). Output:
// one line per file, "path<TAB>transcript" (the utterances' best transcripts joined by a
// space; a TSV that WER scripts read), or with --json one JSON object per file with every
// result, alternative, word time and confidence; -o writes the lines to a file.
#ifndef AURIS_CLIENTS_TRANSCRIBE_COMMAND_H_
#define AURIS_CLIENTS_TRANSCRIBE_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include "clients/client_common.h"

namespace auris::client {

struct TranscribeOptions {
  std::vector<std::string> inputs;  // files or folders
  std::string output;               // "" = stdout
  std::string model;                // "" = server default
  bool streaming = false;
  bool interim = false;  // streaming: print interim results to stderr
  int chunk_ms = 100;    // streaming chunk length
  int max_alternatives = 1;
  bool words = false;  // word time offsets and confidences (in --json output)
  int beam_size = 0;
  std::optional<float> lm_weight;
  std::optional<float> word_insertion_bonus;
  std::vector<std::string> phrases;  // one SpeechContext
  float boost = 0.0f;
  bool restrict = false;
};

// Returns the process exit code: 0 all files transcribed, 1 a call failed, 2 bad usage.
int RunTranscribe(const GlobalOptions& global, const TranscribeOptions& options);

}  // namespace auris::client

#endif  // AURIS_CLIENTS_TRANSCRIBE_COMMAND_H_
