// `auris mic -o OUT`: live denoising of the default (or a chosen) PortAudio input device over
// StreamingDenoise, for --seconds or until Ctrl-C; writes the denoised audio and reports the
// per-chunk latency. Built only with AURIS_WITH_PORTAUDIO.
#ifndef AURIS_CLIENTS_MIC_COMMAND_H_
#define AURIS_CLIENTS_MIC_COMMAND_H_

#include <string>

#include "clients/client_common.h"

namespace auris::client {

struct MicOptions {
  std::string output;  // denoised audio file (its extension picks the format)
  std::string model;   // "" = server default
  double seconds = 0;  // 0 = until Ctrl-C
  int device = -1;     // PortAudio device index; -1 = the default input
  int sample_rate_hz = 16000;
  int chunk_ms = 100;
  bool list_devices = false;
};

// Returns the process exit code.
int RunMic(const GlobalOptions& global, const MicOptions& options);

}  // namespace auris::client

#endif  // AURIS_CLIENTS_MIC_COMMAND_H_
