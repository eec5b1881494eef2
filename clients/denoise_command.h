// `auris denoise IN... -o OUT`: unary or streaming denoising of files or folders.
#ifndef AURIS_CLIENTS_DENOISE_COMMAND_H_
#define AURIS_CLIENTS_DENOISE_COMMAND_H_

#include <string>
#include <vector>

#include "clients/client_common.h"

namespace auris::client {

struct DenoiseOptions {
  std::vector<std::string> inputs;  // files or folders
  std::string output;               // a file (one input) or a folder
  std::string model;                // "" = server default
  bool streaming = false;           // StreamingDenoise in chunks instead of one Denoise
  int chunk_ms = 100;               // streaming chunk length
  std::string reference;            // clean reference: print SNR / SI-SDR before and after
};

// Returns the process exit code.
int RunDenoise(const GlobalOptions& global, const DenoiseOptions& options);

}  // namespace auris::client

#endif  // AURIS_CLIENTS_DENOISE_COMMAND_H_
