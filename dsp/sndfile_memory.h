// An SNDFILE over memory via libsndfile virtual I/O: reads from borrowed bytes (which must
// outlive the object) or writes into an owned buffer. Not copyable or movable; not thread-safe.
#ifndef AURIS_DSP_SNDFILE_MEMORY_H_
#define AURIS_DSP_SNDFILE_MEMORY_H_

#include <sndfile.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace auris::dsp {

class SndfileMemory {
 public:
  // INVALID_ARGUMENT (with libsndfile's reason) when the bytes are not a readable file.
  static absl::StatusOr<std::unique_ptr<SndfileMemory>> OpenRead(std::string_view bytes);
  // `format` is an SF_FORMAT_* major|subtype pair; INTERNAL if libsndfile refuses it.
  static absl::StatusOr<std::unique_ptr<SndfileMemory>> OpenWrite(int format, int sample_rate_hz,
                                                                  int channel_count);

  SndfileMemory(const SndfileMemory&) = delete;
  SndfileMemory& operator=(const SndfileMemory&) = delete;
  ~SndfileMemory();

  SNDFILE* handle() const { return file_.get(); }
  const SF_INFO& info() const { return info_; }
  // The last libsndfile error on this file.
  std::string Error() const;
  // Write mode: closes the file (flushing encoders and headers) and returns its bytes.
  absl::StatusOr<std::string> Close();

 private:
  struct FileCloser {
    void operator()(SNDFILE* file) const { sf_close(file); }
  };

  SndfileMemory() = default;

  static SF_VIRTUAL_IO* VirtualIo();
  static sf_count_t GetLength(void* self);
  static sf_count_t Seek(sf_count_t offset, int whence, void* self);
  static sf_count_t Read(void* dst, sf_count_t count, void* self);
  static sf_count_t Write(const void* src, sf_count_t count, void* self);
  static sf_count_t Tell(void* self);

  std::string_view Contents() const;

  std::string_view read_bytes_;
  std::string written_;
  bool writing_ = false;
  sf_count_t position_ = 0;
  SF_INFO info_{};
  std::unique_ptr<SNDFILE, FileCloser> file_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_SNDFILE_MEMORY_H_
