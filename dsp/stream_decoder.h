// Incremental decoder for streaming RPCs: raw encodings and WAV (header parsed as it arrives).
// One per stream; not thread-safe.
#ifndef AURIS_DSP_STREAM_DECODER_H_
#define AURIS_DSP_STREAM_DECODER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/audio_format.h"

namespace auris::dsp {

class StreamDecoder {
 public:
  // UNIMPLEMENTED for FLAC / OGG_* (the message names the encodings that stream);
  // INVALID_ARGUMENT for a raw encoding without a rate in 8000..48000 or bad channel count.
  // UNSPECIFIED is accepted only as "WAV, detected from the first bytes".
  static absl::StatusOr<std::unique_ptr<StreamDecoder>> Create(const AudioFormat& format);

  // Appends the mono samples completed by `bytes` to `out`. Partial samples/frames are kept
  // for the next call. A malformed WAV header gives INVALID_ARGUMENT; after an error the
  // decoder stays failed.
  absl::Status Accept(std::string_view bytes, std::vector<float>* out);
  // Called at end of input: INVALID_ARGUMENT if a partial sample or an incomplete header is
  // left over, or if no audio was received at all.
  absl::Status Finish();
  // 0 until known (for WAV, until the header has been parsed).
  int sample_rate_hz() const;
  // Total mono samples produced so far.
  long long samples_out() const;

  ~StreamDecoder();

 private:
  struct Impl;
  explicit StreamDecoder(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_STREAM_DECODER_H_
