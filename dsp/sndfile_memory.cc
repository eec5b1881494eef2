#include "dsp/sndfile_memory.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace auris::dsp {
absl::StatusOr<std::unique_ptr<SndfileMemory>> SndfileMemory::OpenRead(std::string_view bytes) {
  std::unique_ptr<SndfileMemory> memory(new SndfileMemory());
  memory->read_bytes_ = bytes;
  memory->file_.reset(sf_open_virtual(VirtualIo(), SFM_READ, &memory->info_, memory.get()));
  if (memory->file_ == nullptr) {
    return absl::InvalidArgumentError(sf_strerror(nullptr));
  }
  return memory;
}

absl::StatusOr<std::unique_ptr<SndfileMemory>> SndfileMemory::OpenWrite(int format,
                                                                        int sample_rate_hz,
                                                                        int channel_count) {
  std::unique_ptr<SndfileMemory> memory(new SndfileMemory());
  memory->writing_ = true;
  memory->info_.format = format;
  memory->info_.samplerate = sample_rate_hz;
  memory->info_.channels = channel_count;
  memory->file_.reset(sf_open_virtual(VirtualIo(), SFM_WRITE, &memory->info_, memory.get()));
  if (memory->file_ == nullptr) {
    return absl::InternalError(absl::StrCat("libsndfile cannot write format 0x", absl::Hex(format),
                                            " at ", sample_rate_hz, " Hz: ", sf_strerror(nullptr)));
  }
  return memory;
}

SndfileMemory::~SndfileMemory() = default;

std::string SndfileMemory::Error() const { return sf_strerror(file_.get()); }

absl::StatusOr<std::string> SndfileMemory::Close() {
  if (file_ == nullptr) return absl::FailedPreconditionError("the sound file is already closed");
  const int error = sf_close(file_.release());
  if (error != SF_ERR_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("libsndfile failed to finish the file: ", sf_error_number(error)));
  }
  return std::move(written_);
}

std::string_view SndfileMemory::Contents() const {
  return writing_ ? std::string_view(written_) : read_bytes_;
}

sf_count_t SndfileMemory::GetLength(void* self) {
  return static_cast<sf_count_t>(static_cast<SndfileMemory*>(self)->Contents().size());
}

sf_count_t SndfileMemory::Seek(sf_count_t offset, int whence, void* self) {
  auto* memory = static_cast<SndfileMemory*>(self);
  const auto length = static_cast<sf_count_t>(memory->Contents().size());
  sf_count_t base = 0;
  if (whence == SEEK_CUR) base = memory->position_;
  if (whence == SEEK_END) base = length;
  const sf_count_t target = base + offset;
  if (target < 0 || (!memory->writing_ && target > length)) return -1;
  memory->position_ = target;
  return target;
}

sf_count_t SndfileMemory::Read(void* dst, sf_count_t count, void* self) {
  auto* memory = static_cast<SndfileMemory*>(self);
  const std::string_view contents = memory->Contents();
  const auto length = static_cast<sf_count_t>(contents.size());
  if (count <= 0 || memory->position_ >= length) return 0;
  const sf_count_t n = std::min(count, length - memory->position_);
  std::memcpy(dst, contents.data() + memory->position_, static_cast<std::size_t>(n));
  memory->position_ += n;
  return n;
}

sf_count_t SndfileMemory::Write(const void* src, sf_count_t count, void* self) {
  auto* memory = static_cast<SndfileMemory*>(self);
  if (!memory->writing_ || count <= 0) return 0;
  const auto end = static_cast<std::size_t>(memory->position_ + count);
  if (memory->written_.size() < end) memory->written_.resize(end);
  std::memcpy(memory->written_.data() + memory->position_, src, static_cast<std::size_t>(count));
  memory->position_ += count;
  return count;
}

sf_count_t SndfileMemory::Tell(void* self) { return static_cast<SndfileMemory*>(self)->position_; }

SF_VIRTUAL_IO* SndfileMemory::VirtualIo() {
  static SF_VIRTUAL_IO io = {&GetLength, &Seek, &Read, &Write, &Tell};
  return &io;
}

}  // namespace auris::dsp
