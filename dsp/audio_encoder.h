// Encodes mono float samples to bytes in any auris encoding (raw or container).
// Thread-safe (no state).
#ifndef AURIS_DSP_AUDIO_ENCODER_H_
#define AURIS_DSP_AUDIO_ENCODER_H_

#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "dsp/audio_format.h"

namespace auris::dsp {

// `samples` are clipped to [-1, 1]. WAV is 16-bit PCM, FLAC 16-bit, OGG_VORBIS / OGG_OPUS use
// libsndfile's defaults (Opus only at 8000, 12000, 16000, 24000 or 48000 Hz: other rates get
// INVALID_ARGUMENT). UNSPECIFIED gets INVALID_ARGUMENT.
absl::StatusOr<std::string> EncodeAudio(std::span<const float> samples, int sample_rate_hz,
                                        Encoding encoding);

}  // namespace auris::dsp

#endif  // AURIS_DSP_AUDIO_ENCODER_H_
