#include "nn/lm_binary.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

constexpr int kMaxOrder = 5;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  uint64_t file_bytes;
  uint64_t checksum;
  uint32_t order;
  uint32_t vocab_size;
  uint64_t num_entries;
  uint64_t table_slots;
  uint64_t word_bytes;
};
static_assert(sizeof(Header) == LmBinary::kHeaderBytes);
static_assert(offsetof(Header, checksum) == LmBinary::kChecksumOffset);
static_assert(std::is_trivially_copyable_v<Header>);

constexpr std::size_t kEntryBytes = 24;

// Word-at-a-time multiplicative hash; every step is a bijection of the running value for a
// fixed input word, so any change of a single 8-byte word changes the result.
class Hasher {
 public:
  void Update(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    total_ += n;
    while (n > 0 && fill_ > 0) {
      buffer_[fill_++] = *p++;
      --n;
      if (fill_ == 8) Flush();
    }
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t word = 0;
      std::memcpy(&word, p, 8);
      Mix(word);
    }
    while (n-- > 0) buffer_[fill_++] = *p++;
  }
  uint64_t Finish() {
    if (fill_ > 0) {
      std::memset(buffer_ + fill_, 0, 8 - fill_);
      Flush();
    }
    Mix(total_);
    return hash_;
  }

 private:
  void Flush() {
    uint64_t word = 0;
    std::memcpy(&word, buffer_, 8);
    Mix(word);
    fill_ = 0;
  }
  void Mix(uint64_t word) {
    hash_ = (hash_ ^ word) * 0x9E3779B97F4A7C15ull;
    hash_ ^= hash_ >> 32;
  }

  uint64_t hash_ = 0x243F6A8885A308D3ull;
  unsigned char buffer_[8] = {};
  std::size_t fill_ = 0;
  uint64_t total_ = 0;
};

absl::Status Corrupt(const std::string& what) {
  return absl::DataLossError(absl::StrCat("corrupt binary LM: ", what));
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

}  // namespace

// Reads a file image section by section from memory or a FILE, hashing as it goes.
class LmBinary::Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes), size_(bytes.size()) {}
  Reader(std::FILE* file, uint64_t size) : file_(file), size_(size) {}

  absl::StatusOr<std::unique_ptr<ArpaLm>> Run(const ArpaLmConfig& config) {
    if (absl::Status s = config.Validate(); !s.ok()) return s;
    if constexpr (std::endian::native != std::endian::little) {
      return absl::UnimplementedError("binary LMs are little-endian; this host is not");
    }
    Header h;
    if (size_ < kMagic.size() || !Read(&h, std::min<uint64_t>(size_, sizeof(h)), false) ||
        !HasMagic(std::string_view(h.magic, kMagic.size()))) {
      return absl::InvalidArgumentError("not a binary LM (magic bytes missing)");
    }
    if (size_ < sizeof(h)) {
      return Corrupt(absl::StrCat("truncated: ", size_, " bytes, the header alone is ", sizeof(h)));
    }
    if (h.version != kVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat("binary LM format version ", h.version, "; this build reads version ",
                       kVersion, "; recompile the ARPA file with auris-lm-compile"));
    }
    if (h.header_bytes != sizeof(h)) {
      return Corrupt(absl::StrCat("header size ", h.header_bytes, ", expected ", sizeof(h)));
    }
    if (h.file_bytes != size_) {
      return Corrupt(absl::StrCat("truncated or padded: the header says ", h.file_bytes,
                                  " bytes, the file has ", size_));
    }
    if (absl::Status s = CheckSizes(h); !s.ok()) return s;
    const uint64_t stored_checksum = h.checksum;
    h.checksum = 0;
    hasher_.Update(&h, sizeof(h));

    std::unique_ptr<ArpaLm> lm(new ArpaLm());
    lm->config_ = config;
    lm->order_ = static_cast<int>(h.order);
    lm->counts_.resize(h.order);
    lm->entries_.resize(h.num_entries);
    lm->table_.resize(h.table_slots);
    std::vector<uint32_t> offsets(static_cast<std::size_t>(h.vocab_size) + 1);
    std::string text(h.word_bytes, '\0');
    static_assert(sizeof(ArpaLm::Entry) == kEntryBytes);
    static_assert(std::is_trivially_copyable_v<ArpaLm::Entry>);
    if (!Read(lm->counts_.data(), h.order * sizeof(int64_t)) ||
        !Read(lm->entries_.data(), h.num_entries * kEntryBytes) ||
        !Read(lm->table_.data(), h.table_slots * sizeof(uint32_t)) ||
        !Read(offsets.data(), offsets.size() * sizeof(uint32_t)) ||
        !Read(text.data(), text.size())) {
      return Corrupt("read failed or file shorter than its header says");
    }
    if (const uint64_t computed = hasher_.Finish(); computed != stored_checksum) {
      return Corrupt(absl::StrCat("checksum mismatch (stored ", stored_checksum, ", computed ",
                                  computed, ")"));
    }
    lm->words_.reserve(h.vocab_size);
    lm->word_ids_.reserve(h.vocab_size);
    for (uint32_t w = 0; w < h.vocab_size; ++w) {
      if (offsets[w] > offsets[w + 1] || offsets[w + 1] > h.word_bytes || offsets[0] != 0) {
        return Corrupt(absl::StrCat("word offsets out of order at word ", w));
      }
      lm->words_.emplace_back(text, offsets[w], offsets[w + 1] - offsets[w]);
      if (lm->words_.back().empty()) return Corrupt(absl::StrCat("word ", w, " is empty"));
      if (!lm->word_ids_.emplace(lm->words_.back(), static_cast<int32_t>(w)).second) {
        return Corrupt(absl::StrCat("word '", lm->words_.back(), "' is listed twice"));
      }
    }
    if (offsets[h.vocab_size] != h.word_bytes) {
      return Corrupt("word offsets do not end at the end of the word text");
    }
    if (absl::Status s = Validate(*lm); !s.ok()) return s;
    lm->ResolveSpecialWords();
    return lm;
  }

 private:
  absl::Status CheckSizes(const Header& h) const {
    if (h.order < 1 || h.order > kMaxOrder) {
      return Corrupt(absl::StrCat("order ", h.order, "; allowed: 1-", kMaxOrder));
    }
    if (h.vocab_size >= (1u << 31)) return Corrupt(absl::StrCat("vocab size ", h.vocab_size));
    if (h.num_entries < 1 || h.num_entries > (1ull << 31)) {
      return Corrupt(absl::StrCat("entry count ", h.num_entries));
    }
    if (!IsPowerOfTwo(h.table_slots) || h.table_slots < h.num_entries ||
        h.table_slots > (1ull << 32)) {
      return Corrupt(absl::StrCat("table size ", h.table_slots, " for ", h.num_entries,
                                  " entries (want a power of two > entries - 1)"));
    }
    if (h.word_bytes > UINT32_MAX) return Corrupt(absl::StrCat("word text of ", h.word_bytes));
    const uint64_t expected = sizeof(Header) + h.order * sizeof(int64_t) +
                              h.num_entries * kEntryBytes + h.table_slots * sizeof(uint32_t) +
                              (h.vocab_size + 1ull) * sizeof(uint32_t) + h.word_bytes;
    if (expected != h.file_bytes) {
      return Corrupt(absl::StrCat("sections add up to ", expected, " bytes but the header says ",
                                  h.file_bytes));
    }
    return absl::OkStatus();
  }

  bool Read(void* out, uint64_t n, bool hash = true) {
    if (file_ != nullptr) {
      if (n > 0 && std::fread(out, 1, n, file_) != n) return false;
    } else {
      if (n > bytes_.size()) return false;
      if (n > 0) std::memcpy(out, bytes_.data(), n);
      bytes_.remove_prefix(n);
    }
    if (hash) hasher_.Update(out, n);
    return true;
  }

  std::string_view bytes_;
  std::FILE* file_ = nullptr;
  uint64_t size_;
  Hasher hasher_;
};

bool LmBinary::HasMagic(std::string_view head) { return head.starts_with(kMagic); }

uint64_t LmBinary::Checksum(std::string_view bytes) {
  Hasher hasher;
  if (bytes.size() < kChecksumOffset + 8) {
    hasher.Update(bytes.data(), bytes.size());
    return hasher.Finish();
  }
  const uint64_t zero = 0;
  hasher.Update(bytes.data(), kChecksumOffset);
  hasher.Update(&zero, 8);
  hasher.Update(bytes.data() + kChecksumOffset + 8, bytes.size() - kChecksumOffset - 8);
  return hasher.Finish();
}

std::string LmBinary::Serialize(const ArpaLm& lm) {
  std::vector<uint32_t> offsets{0};
  std::string text;
  for (const std::string& w : lm.words_) {
    text += w;
    offsets.push_back(static_cast<uint32_t>(text.size()));
  }
  Header h{};
  std::memcpy(h.magic, kMagic.data(), kMagic.size());
  h.version = kVersion;
  h.header_bytes = sizeof(Header);
  h.order = static_cast<uint32_t>(lm.order_);
  h.vocab_size = static_cast<uint32_t>(lm.words_.size());
  h.num_entries = lm.entries_.size();
  h.table_slots = lm.table_.size();
  h.word_bytes = text.size();
  h.file_bytes = sizeof(Header) + lm.counts_.size() * sizeof(int64_t) +
                 lm.entries_.size() * kEntryBytes + lm.table_.size() * sizeof(uint32_t) +
                 offsets.size() * sizeof(uint32_t) + text.size();
  std::string out;
  out.reserve(h.file_bytes);
  auto append = [&out](const void* data, std::size_t n) {
    out.append(static_cast<const char*>(data), n);
  };
  append(&h, sizeof(h));
  append(lm.counts_.data(), lm.counts_.size() * sizeof(int64_t));
  append(lm.entries_.data(), lm.entries_.size() * kEntryBytes);
  append(lm.table_.data(), lm.table_.size() * sizeof(uint32_t));
  append(offsets.data(), offsets.size() * sizeof(uint32_t));
  out += text;
  const uint64_t checksum = Checksum(out);
  std::memcpy(out.data() + kChecksumOffset, &checksum, sizeof(checksum));
  return out;
}

absl::Status LmBinary::Write(const ArpaLm& lm, const std::string& path) {
  if constexpr (std::endian::native != std::endian::little) {
    return absl::UnimplementedError("binary LMs are little-endian; this host is not");
  }
  const std::string bytes = Serialize(lm);
  File file(std::fopen(path.c_str(), "wb"));
  if (file == nullptr) return absl::PermissionDeniedError(absl::StrCat("cannot create ", path));
  if (std::fwrite(bytes.data(), 1, bytes.size(), file.get()) != bytes.size() ||
      std::fclose(file.release()) != 0) {
    return absl::DataLossError(absl::StrCat("writing ", path, " failed"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ArpaLm>> LmBinary::Parse(std::string_view bytes,
                                                        const ArpaLmConfig& config) {
  return Reader(bytes).Run(config);
}

absl::StatusOr<std::unique_ptr<ArpaLm>> LmBinary::Load(const std::string& path,
                                                       const ArpaLmConfig& config) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  File file(ec ? nullptr : std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open LM file ", path));
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = Reader(file.get(), size).Run(config);
  if (!lm.ok()) {
    return absl::Status(lm.status().code(),
                        absl::StrCat(path, ": ", std::string(lm.status().message())));
  }
  return lm;
}

absl::Status LmBinary::Validate(const ArpaLm& lm) {
  const auto& entries = lm.entries_;
  const ArpaLm::Entry& root = entries[0];
  if (root.word != ArpaLm::kNoWord || root.context != 0 || root.suffix != 0 || root.order != 0 ||
      root.log_prob != 0.0f || root.backoff != 0.0f) {
    return Corrupt("entry 0 is not the empty history");
  }
  if (lm.counts_[0] != lm.vocab_size()) {
    return Corrupt(absl::StrCat(lm.counts_[0], " 1-grams but ", lm.vocab_size(), " words"));
  }
  std::size_t next = 1;
  for (int n = 1; n <= lm.order_; ++n) {
    const int64_t count = lm.counts_[n - 1];
    if (count < 0 || static_cast<uint64_t>(count) > entries.size() - next) {
      return Corrupt(absl::StrCat("ngram ", n, "=", count, " does not fit the entries"));
    }
    for (const std::size_t end = next + static_cast<std::size_t>(count); next < end; ++next) {
      const ArpaLm::Entry& e = entries[next];
      auto at = [&] { return absl::StrCat("entry ", next, " (", n, "-gram): "); };
      const bool bad_link =
          n == 1 ? e.context != 0 || e.suffix != 0 || e.word != static_cast<int32_t>(next - 1)
                 : e.context == 0 || e.context >= next || entries[e.context].order != n - 1 ||
                       e.suffix >= next || (e.suffix != 0 && entries[e.suffix].order >= n);
      if (e.order != n || e.word < 0 || e.word >= lm.vocab_size() || bad_link) {
        return Corrupt(absl::StrCat(at(), "order, word, context or suffix out of range"));
      }
      if (std::isnan(e.log_prob) || e.log_prob > 0.0f || !std::isfinite(e.backoff) ||
          (n == lm.order_ && e.backoff != 0.0f)) {
        return Corrupt(absl::StrCat(at(), "bad probability or back-off weight"));
      }
    }
  }
  if (next != entries.size()) {
    return Corrupt(absl::StrCat("the counts list ", next - 1, " n-grams but there are ",
                                entries.size() - 1, " entries"));
  }
  std::size_t used = 0;
  for (uint32_t id : lm.table_) {
    if (id >= entries.size()) return Corrupt(absl::StrCat("table holds entry ", id));
    used += id != 0;
  }
  if (used != entries.size() - 1) {
    return Corrupt(absl::StrCat("table holds ", used, " entries, expected ", entries.size() - 1));
  }
  for (std::size_t id = 1; id < entries.size(); ++id) {
    if (lm.Find(entries[id].context, entries[id].word) != id) {
      return Corrupt(absl::StrCat("entry ", id, " is not where the table says"));
    }
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
