#include "server/denoise_options.h"

#include "absl/strings/str_cat.h"
#include "server/audio_format_convert.h"

namespace auris::server {

absl::StatusOr<DenoiseOptions> ResolveDenoiseOptions(const v1::DenoiseConfig& config,
                                                     const models::ModelRegistry& registry,
                                                     bool streaming) {
  DenoiseOptions options;
  absl::StatusOr<dsp::AudioFormat> input = FromProto(config.format(), "config.format");
  if (!input.ok()) return input.status();
  options.input = *input;
  absl::StatusOr<dsp::AudioFormat> output =
      FromProto(config.output_format(), "config.output_format");
  if (!output.ok()) return output.status();
  options.output = *output;
  if (output->channel_count > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("config.output_format.channel_count ", output->channel_count,
                     " is not supported; denoised audio is mono (set 0 or 1)"));
  }
  if (streaming && output->encoding != dsp::Encoding::kUnspecified &&
      !dsp::IsRawEncoding(output->encoding)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "config.output_format.encoding ", std::string(dsp::EncodingName(output->encoding)),
        " is a container; StreamingDenoise answers raw PCM: use LINEAR16, FLOAT32, "
        "MULAW or ALAW (or leave it unset)"));
  }
  absl::StatusOr<const models::DenoisePipeline*> pipeline = registry.FindDenoise(config.model());
  if (!pipeline.ok()) return pipeline.status();
  options.pipeline = *pipeline;
  return options;
}

}  // namespace auris::server
