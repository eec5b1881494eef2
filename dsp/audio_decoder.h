// Decodes a whole in-memory audio buffer to mono float samples.
// Containers (WAV, FLAC, OGG Vorbis/Opus) are read with libsndfile virtual I/O from memory;
// raw encodings use `format.sample_rate_hz` and `format.channel_count`. Thread-safe (no state).
#ifndef AURIS_DSP_AUDIO_DECODER_H_
#define AURIS_DSP_AUDIO_DECODER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "dsp/audio_format.h"

namespace auris::dsp {

// Errors are INVALID_ARGUMENT with a message saying what was wrong and what is allowed:
// empty audio, odd byte count for LINEAR16, byte count not a multiple of 4 for FLOAT32 or of
// the frame size for multichannel input, unknown container (with UNSPECIFIED), a container
// that does not match the declared encoding, sample rate outside 8000..48000, channel count
// outside 0..8, or a corrupt file.
absl::StatusOr<DecodedAudio> DecodeAudio(std::string_view bytes, const AudioFormat& format);

}  // namespace auris::dsp

#endif  // AURIS_DSP_AUDIO_DECODER_H_
