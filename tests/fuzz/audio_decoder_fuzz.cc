// libFuzzer target over untrusted audio bytes: DecodeAudio (libsndfile containers and raw
// PCM) and StreamDecoder (raw and incremental WAV) must never crash, and where both accept the
// same raw/WAV input they must produce the same samples.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "dsp/audio_decoder.h"
#include "dsp/stream_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t selector = data[0];
  const size_t chunk = 1 + data[1];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 2), size - 2);
  static const auris::dsp::Encoding kEncodings[] = {
      auris::dsp::Encoding::kUnspecified, auris::dsp::Encoding::kLinear16,
      auris::dsp::Encoding::kFloat32,     auris::dsp::Encoding::kMulaw,
      auris::dsp::Encoding::kAlaw,        auris::dsp::Encoding::kWav,
      auris::dsp::Encoding::kFlac,        auris::dsp::Encoding::kOggVorbis,
      auris::dsp::Encoding::kOggOpus};
  static const int kRates[] = {0, 8000, 16000, 48000, 7999, 96000};
  auris::dsp::AudioFormat format;
  format.encoding = kEncodings[selector % 9];
  format.sample_rate_hz = kRates[(selector / 9) % 6];
  format.channel_count = (selector / 54) % 4;

  const absl::StatusOr<auris::dsp::DecodedAudio> whole = auris::dsp::DecodeAudio(bytes, format);
  absl::StatusOr<std::unique_ptr<auris::dsp::StreamDecoder>> stream =
      auris::dsp::StreamDecoder::Create(format);
  if (!stream.ok()) return 0;
  std::vector<float> streamed;
  absl::Status status;
  for (size_t pos = 0; pos < bytes.size() && status.ok(); pos += chunk) {
    status = (*stream)->Accept(bytes.substr(pos, chunk), &streamed);
  }
  if (status.ok()) status = (*stream)->Finish();
  const bool raw = auris::dsp::IsRawEncoding(format.encoding);
  if (raw && whole.ok() != status.ok()) std::abort();
  if (raw && whole.ok() && whole->samples != streamed) std::abort();
  return 0;
}
