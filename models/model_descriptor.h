// Parsing of one model descriptor (*.json in a models directory) into ModelInfo + params.
// Pure functions; thread-safe.
#ifndef AURIS_MODELS_MODEL_DESCRIPTOR_H_
#define AURIS_MODELS_MODEL_DESCRIPTOR_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "models/model_info.h"

namespace auris::models {

struct ModelDescriptor {
  ModelInfo info;
  std::string type;                      // e.g. "classic_denoiser"
  std::map<std::string, double> params;  // numeric parameters of the type
  std::string file;                      // model file as written ("" if none), relative to
                                         // the descriptor's folder unless absolute
  std::string path;                      // the descriptor file, for messages
  std::string lm;                        // "asr" only: ARPA language model as written ("" if
                                         // none), relative to the descriptor's folder
  std::string lexicon;                   // "asr" only: lexicon word list as written ("" if
                                         // none), relative to the descriptor's folder;
                                         // "none" turns the model file's lexicon off
};

// INVALID_ARGUMENT naming `path` and the offending field.
absl::StatusOr<ModelDescriptor> ParseModelDescriptor(const std::string& json_text,
                                                     const std::string& path);

}  // namespace auris::models

#endif  // AURIS_MODELS_MODEL_DESCRIPTOR_H_
