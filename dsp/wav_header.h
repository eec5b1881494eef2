// Incremental RIFF/WAVE header parser: consumes bytes as they arrive (split anywhere) up to the
// start of the data chunk. Unknown chunks are skipped without buffering. Not thread-safe.
#ifndef AURIS_DSP_WAV_HEADER_H_
#define AURIS_DSP_WAV_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace auris::dsp {

// Little-endian sample layouts of WAV data (and of the raw encodings).
enum class PcmFormat { kUnsigned8, kSigned16, kSigned24, kSigned32, kFloat32, kMulaw, kAlaw };

int BytesPerSample(PcmFormat format);

struct WavFormat {
  PcmFormat pcm = PcmFormat::kSigned16;
  int sample_rate_hz = 0;
  int channel_count = 0;
  // Bytes in the data chunk; -1 when the writer left it open (size 0 or 0xFFFFFFFF).
  long long data_bytes = -1;
};

class WavHeaderParser {
 public:
  // Consumes header bytes from the front of `bytes` and stores how many in `*consumed`.
  // Returns true once the data chunk starts (then `format()` is valid and the rest of
  // `bytes` is sample data), false if more bytes are needed, or INVALID_ARGUMENT.
  absl::StatusOr<bool> Consume(std::string_view bytes, std::size_t* consumed);
  bool done() const { return state_ == State::kDone; }
  const WavFormat& format() const { return format_; }

 private:
  enum class State { kRiff, kChunkHeader, kChunkBody, kSkip, kDone };

  absl::Status OnRiff();
  absl::Status OnChunkHeader();
  absl::Status OnFmt();

  State state_ = State::kRiff;
  std::string pending_;
  std::size_t needed_ = 12;
  std::uint64_t skip_ = 0;
  std::uint32_t chunk_size_ = 0;
  bool have_fmt_ = false;
  WavFormat format_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_WAV_HEADER_H_
