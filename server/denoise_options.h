// Checks a DenoiseConfig and resolves its model and output format. Thread-safe.
#ifndef AURIS_SERVER_DENOISE_OPTIONS_H_
#define AURIS_SERVER_DENOISE_OPTIONS_H_

#include "absl/status/statusor.h"
#include "auris/v1/enhancement.pb.h"
#include "dsp/audio_format.h"
#include "models/denoise/denoise_pipeline.h"
#include "models/model_registry.h"

namespace auris::server {

struct DenoiseOptions {
  const models::DenoisePipeline* pipeline = nullptr;
  dsp::AudioFormat input;
  dsp::AudioFormat output;  // encoding kUnspecified = same as the input; rate 0 = input's
};

// INVALID_ARGUMENT for bad formats (streaming: a container as output), NOT_FOUND for an
// unknown model, FAILED_PRECONDITION when no denoise model is loaded.
absl::StatusOr<DenoiseOptions> ResolveDenoiseOptions(const v1::DenoiseConfig& config,
                                                     const models::ModelRegistry& registry,
                                                     bool streaming);

}  // namespace auris::server

#endif  // AURIS_SERVER_DENOISE_OPTIONS_H_
