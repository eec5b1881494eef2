// Compiled binary form of an ArpaLm: its in-memory tables written as they are, so loading is
// one read per section with no text parsing and no re-hashing of n-grams. Version 1 layout,
// little-endian, every section naturally aligned:
//   header   64 bytes: magic, version, header bytes, file bytes, checksum, order, vocab size,
//            entries, table slots, word bytes
//   counts   int64[order]           n-grams per order
//   entries  24 bytes each          word, context, suffix, order, ln p, ln back-off
//   table    uint32[table slots]    entry ids by ArpaLm::Slot(context, word), linear probing
//   offsets  uint32[vocab + 1]      word i is words[offsets[i], offsets[i + 1])
//   words    char[word bytes]
// The checksum (Checksum) covers every byte with the checksum field read as zero. Loading
// validates every size, index and link, so no file makes the loader or the model crash or
// loop: truncated or corrupt files give DATA_LOSS, another version FAILED_PRECONDITION.
#ifndef AURIS_NN_LM_BINARY_H_
#define AURIS_NN_LM_BINARY_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/arpa_lm.h"

namespace auris::nn {

class LmBinary {
 public:
  static constexpr std::string_view kMagic{"\x89LM-AURS", 8};
  static constexpr uint32_t kVersion = 1;
  static constexpr std::size_t kHeaderBytes = 64;

  // True when `head` (the first bytes of a file) starts with kMagic.
  static bool HasMagic(std::string_view head);

  // The file image of `lm`; Write stores it at `path` (replacing the file).
  static std::string Serialize(const ArpaLm& lm);
  static absl::Status Write(const ArpaLm& lm, const std::string& path);

  // From a file image in memory, or from a file (errors prefixed with the path).
  static absl::StatusOr<std::unique_ptr<ArpaLm>> Parse(std::string_view bytes,
                                                       const ArpaLmConfig& config = {});
  static absl::StatusOr<std::unique_ptr<ArpaLm>> Load(const std::string& path,
                                                      const ArpaLmConfig& config = {});

  // 64-bit checksum of a whole file image, its checksum field taken as zero (for tests/tools).
  static uint64_t Checksum(std::string_view bytes);
  // Byte offset of the checksum field in the header.
  static constexpr std::size_t kChecksumOffset = 24;

 private:
  class Reader;
  static absl::Status Validate(const ArpaLm& lm);
};

}  // namespace auris::nn

#endif  // AURIS_NN_LM_BINARY_H_
