#include "dsp/g711.h"

#include <array>

namespace auris::dsp {
namespace {

constexpr int kSignBit = 0x80;
constexpr int kQuantMask = 0x0F;
constexpr int kSegmentShift = 4;
constexpr int kSegmentMask = 0x70;
constexpr int kMulawBias = 0x84;
constexpr int kMulawClip = 8159;

constexpr std::array<int, 8> kMulawSegmentEnd = {0x3F,  0x7F,  0xFF,  0x1FF,
                                                 0x3FF, 0x7FF, 0xFFF, 0x1FFF};
constexpr std::array<int, 8> kAlawSegmentEnd = {0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF};

constexpr int Segment(int magnitude, const std::array<int, 8>& segment_end) {
  for (int i = 0; i < 8; ++i) {
    if (magnitude <= segment_end[i]) return i;
  }
  return 8;
}

constexpr std::int16_t DecodeMulaw(std::uint8_t code) {
  const int inverted = ~code & 0xFF;
  int magnitude = ((inverted & kQuantMask) << 3) + kMulawBias;
  magnitude <<= (inverted & kSegmentMask) >> kSegmentShift;
  return static_cast<std::int16_t>((inverted & kSignBit) ? kMulawBias - magnitude
                                                         : magnitude - kMulawBias);
}

constexpr std::int16_t DecodeAlaw(std::uint8_t code) {
  const int toggled = code ^ 0x55;
  int magnitude = (toggled & kQuantMask) << 4;
  const int segment = (toggled & kSegmentMask) >> kSegmentShift;
  if (segment == 0) {
    magnitude += 8;
  } else {
    magnitude = (magnitude + 0x108) << (segment - 1);
  }
  return static_cast<std::int16_t>((toggled & kSignBit) ? magnitude : -magnitude);
}

template <std::int16_t (*Decode)(std::uint8_t)>
constexpr std::array<std::int16_t, 256> MakeTable() {
  std::array<std::int16_t, 256> table{};
  for (int code = 0; code < 256; ++code) table[code] = Decode(static_cast<std::uint8_t>(code));
  return table;
}

constexpr std::array<std::int16_t, 256> kMulawTable = MakeTable<DecodeMulaw>();
constexpr std::array<std::int16_t, 256> kAlawTable = MakeTable<DecodeAlaw>();

}  // namespace

std::uint8_t LinearToMulaw(std::int16_t pcm) {
  int value = pcm >> 2;
  int mask = 0xFF;
  if (value < 0) {
    value = -value;
    mask = 0x7F;
  }
  if (value > kMulawClip) value = kMulawClip;
  value += kMulawBias >> 2;
  const int segment = Segment(value, kMulawSegmentEnd);
  if (segment >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  const int code = (segment << kSegmentShift) | ((value >> (segment + 1)) & kQuantMask);
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t MulawToLinear(std::uint8_t code) { return kMulawTable[code]; }

std::uint8_t LinearToAlaw(std::int16_t pcm) {
  int value = pcm >> 3;
  int mask = 0xD5;
  if (value < 0) {
    value = -value - 1;
    mask = 0x55;
  }
  const int segment = Segment(value, kAlawSegmentEnd);
  if (segment >= 8) return static_cast<std::uint8_t>(0x7F ^ mask);
  const int shift = segment < 2 ? 1 : segment;
  const int code = (segment << kSegmentShift) | ((value >> shift) & kQuantMask);
  return static_cast<std::uint8_t>(code ^ mask);
}

std::int16_t AlawToLinear(std::uint8_t code) { return kAlawTable[code]; }

}  // namespace auris::dsp
