// Synthetic speech-in-noise test audio for stream_load_driver, as LINEAR16 bytes.
#pragma once

#include <cstdint>
#include <string>

namespace auris::bench {

// Speech-like audio: voiced syllables (harmonics of a gliding 90..230 Hz pitch shaped by
// vowel formants, Hann envelopes), short gaps and longer pauses, plus white and low-passed
// ("rumble") noise at about 5 dB SNR. `rate` in Hz; returns 2 * rate * seconds bytes
// (little-endian int16, mono). Deterministic for a given seed.
std::string SpeechLikeLinear16(int rate, double seconds, uint32_t seed);

}  // namespace auris::bench
