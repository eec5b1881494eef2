// libFuzzer target over untrusted binary LM bytes (nn/lm_binary.h). Byte 0 controls the run:
// bit 0 stores the right checksum before parsing (so mutations reach the validation past the
// checksum), bit 1 also loads the bytes from a file through ArpaLm::Load. The rest is the file
// image. LmBinary::Parse must never crash; a model it accepts must re-serialize to the same
// bytes and answer queries (every word, out-of-range ids, chained states: no NaN, states of at
// most order - 1 words); the file loader must agree with the in-memory one. Seeds:
// tests/fuzz/corpus/lm_binary (scripts/make_fuzz_seeds.sh: auris-lm-compile of small ARPAs).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "nn/arpa_lm.h"
#include "nn/lm_binary.h"

namespace {

using auris::nn::ArpaLm;
using auris::nn::LmBinary;

const std::string& ScratchPath() {
  static const std::string path = [] {
    char name[] = "/tmp/lm_binary_fuzz_XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}

void Query(const ArpaLm& lm) {
  const int32_t vocab = lm.vocab_size();
  const int32_t words = std::min<int32_t>(vocab, 64);
  ArpaLm::State state = lm.BeginSentenceState();
  for (int32_t w = -1; w <= words; ++w) {
    if (w >= 0 && w < vocab && lm.WordId(lm.Word(w)) != w) std::abort();
    ArpaLm::State next = ArpaLm::kEmptyState;
    // Any finite back-off weight is valid, so a score may exceed 0, but never be NaN.
    if (std::isnan(lm.Score(state, w, &next))) std::abort();
    if (lm.StateWords(next).size() >= static_cast<std::size_t>(lm.order())) std::abort();
    state = next;
  }
  const std::vector<int32_t> history = lm.StateWords(state);
  if (std::isnan(lm.LogProb(history, vocab))) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((control & 1) != 0 && bytes.size() >= LmBinary::kChecksumOffset + 8) {
    const uint64_t checksum = LmBinary::Checksum(bytes);
    std::memcpy(bytes.data() + LmBinary::kChecksumOffset, &checksum, sizeof(checksum));
  }
  const absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(bytes);
  if (lm.ok()) {
    if (LmBinary::Serialize(**lm) != bytes) std::abort();
    Query(**lm);
  }
  if ((control & 2) != 0 && LmBinary::HasMagic(bytes)) {
    std::FILE* f = std::fopen(ScratchPath().c_str(), "wb");
    if (f == nullptr) std::abort();
    if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
    std::fclose(f);
    const absl::StatusOr<std::unique_ptr<ArpaLm>> loaded = ArpaLm::Load(ScratchPath());
    if (loaded.ok() != lm.ok() || loaded.status().code() != lm.status().code()) std::abort();
    if (loaded.ok() && LmBinary::Serialize(**loaded) != bytes) std::abort();
  }
  return 0;
}
