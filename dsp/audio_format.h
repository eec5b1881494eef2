// Audio encodings and formats understood by auris (mirrors auris.v1.AudioEncoding).
// Plain value types; thread-compatible.
#ifndef AURIS_DSP_AUDIO_FORMAT_H_
#define AURIS_DSP_AUDIO_FORMAT_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace auris::dsp {

// Numbers equal the auris.v1.AudioEncoding values.
enum class Encoding {
  kUnspecified = 0,  // detect a container (WAV, FLAC, OGG) from the bytes
  kLinear16 = 1,     // signed 16-bit little-endian PCM, interleaved
  kFloat32 = 2,      // 32-bit float little-endian PCM, interleaved, [-1, 1]
  kMulaw = 3,        // G.711 mu-law, 8-bit
  kAlaw = 4,         // G.711 A-law, 8-bit
  kWav = 5,
  kFlac = 6,
  kOggVorbis = 7,
  kOggOpus = 8,
};

inline constexpr int kMinSampleRateHz = 8000;
inline constexpr int kMaxSampleRateHz = 48000;
inline constexpr int kMaxChannels = 8;

// "LINEAR16", "WAV", ... as in the API.
std::string_view EncodingName(Encoding encoding);
// LINEAR16, FLOAT32, MULAW, ALAW: headerless sample streams.
bool IsRawEncoding(Encoding encoding);
// Raw encodings and WAV can be decoded incrementally (streaming RPCs).
bool IsStreamableEncoding(Encoding encoding);

struct AudioFormat {
  Encoding encoding = Encoding::kUnspecified;
  int sample_rate_hz = 0;  // required for raw encodings; 8000..48000
  int channel_count = 0;   // 0 or 1 = mono; more channels are averaged to mono
};

// Mono audio in [-1, 1] at `sample_rate_hz`, and the encoding the bytes turned out to be
// (a container is reported as itself; raw encodings as given).
struct DecodedAudio {
  std::vector<float> samples;
  int sample_rate_hz = 0;
  Encoding encoding = Encoding::kUnspecified;
};

// Averages interleaved frames of `channel_count` channels (a partial frame is an error of the
// caller) to mono, clips to [-1, 1] (NaN becomes 0) and appends to `out`.
void AppendMono(std::span<const float> interleaved, int channel_count, std::vector<float>* out);

}  // namespace auris::dsp

#endif  // AURIS_DSP_AUDIO_FORMAT_H_
