// ITU-T G.711 mu-law and A-law companding of signed 16-bit linear PCM (decoded values use the
// standard's levels scaled to 16 bits: mu-law peaks at +-32124, A-law at +-32256). Pure functions.
#ifndef AURIS_DSP_G711_H_
#define AURIS_DSP_G711_H_

#include <cstdint>

namespace auris::dsp {

std::uint8_t LinearToMulaw(std::int16_t pcm);
std::int16_t MulawToLinear(std::uint8_t code);
std::uint8_t LinearToAlaw(std::int16_t pcm);
std::int16_t AlawToLinear(std::uint8_t code);

}  // namespace auris::dsp

#endif  // AURIS_DSP_G711_H_
