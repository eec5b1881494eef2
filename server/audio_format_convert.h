// auris.v1.AudioFormat <-> dsp::AudioFormat, with validation of what a client sent.
// Pure functions; thread-safe.
#ifndef AURIS_SERVER_AUDIO_FORMAT_CONVERT_H_
#define AURIS_SERVER_AUDIO_FORMAT_CONVERT_H_

#include "absl/status/statusor.h"
#include "auris/v1/audio.pb.h"
#include "dsp/audio_format.h"

namespace auris::server {

// INVALID_ARGUMENT for an unknown encoding number, a negative or too large channel count, or
// a rate that is neither 0 nor 8000..48000 (`what` names the field in messages).
absl::StatusOr<dsp::AudioFormat> FromProto(const v1::AudioFormat& format, const char* what);
v1::AudioFormat ToProto(const dsp::AudioFormat& format);

}  // namespace auris::server

#endif  // AURIS_SERVER_AUDIO_FORMAT_CONVERT_H_
