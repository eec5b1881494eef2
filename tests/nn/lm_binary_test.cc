#include "nn/lm_binary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nn/arpa_lm.h"
#include "tests/nn/random_arpa.h"

namespace auris::nn {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Fixture(const std::string& name) {
  if (name == "random") return testing::RandomArpa(20, 60, 80, 3);
  return ReadFile(std::string(AURIS_SOURCE_DIR) + "/tests/" + name);
}

std::unique_ptr<ArpaLm> ParseArpa(const std::string& text) {
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = ArpaLm::Parse(text);
  EXPECT_TRUE(lm.ok()) << lm.status();
  return lm.ok() ? std::move(*lm) : nullptr;
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "." + std::to_string(::getpid()) + ".bin"))
      .string();
}

int64_t NumEntries(const ArpaLm& lm) {
  int64_t n = 1;
  for (int k = 1; k <= lm.order(); ++k) n += lm.num_ngrams(k);
  return n;
}

// Same vocabulary, counts and exactly the same score and next state for every (state, word),
// and for every history of up to order-1 words (unknown and out-of-range ids included).
void ExpectSameModel(const ArpaLm& a, const ArpaLm& b) {
  ASSERT_EQ(a.order(), b.order());
  ASSERT_EQ(a.vocab_size(), b.vocab_size());
  for (int n = 1; n <= a.order(); ++n) EXPECT_EQ(a.num_ngrams(n), b.num_ngrams(n));
  for (int32_t w = 0; w < a.vocab_size(); ++w) {
    ASSERT_EQ(a.Word(w), b.Word(w));
    EXPECT_EQ(b.WordId(a.Word(w)), w);
  }
  EXPECT_EQ(a.WordId("never-seen"), b.WordId("never-seen"));
  EXPECT_EQ(a.unk_id(), b.unk_id());
  EXPECT_EQ(a.bos_id(), b.bos_id());
  EXPECT_EQ(a.eos_id(), b.eos_id());
  EXPECT_EQ(a.BeginSentenceState(), b.BeginSentenceState());
  const int64_t states = NumEntries(a) + 1;
  for (int64_t s = 0; s < states; ++s) {
    const auto state = static_cast<ArpaLm::State>(s);
    EXPECT_EQ(a.StateWords(state), b.StateWords(state));
    for (int32_t w = -1; w <= a.vocab_size(); ++w) {
      ArpaLm::State next_a = 0, next_b = 0;
      ASSERT_EQ(a.Score(state, w, &next_a), b.Score(state, w, &next_b)) << s << " " << w;
      ASSERT_EQ(next_a, next_b);
    }
  }
  std::vector<int32_t> history;
  std::function<void()> all_histories = [&] {
    for (int32_t w = -1; w < a.vocab_size(); ++w) {
      ASSERT_EQ(a.LogProb(history, w), b.LogProb(history, w));
    }
    if (static_cast<int>(history.size()) == a.order() - 1) return;
    for (int32_t h = -1; h < a.vocab_size(); ++h) {
      history.push_back(h);
      all_histories();
      history.pop_back();
    }
  };
  all_histories();
}

class LmBinaryRoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(LmBinaryRoundTripTest, IdenticalScoresFromMemoryAndFile) {
  std::unique_ptr<ArpaLm> arpa = ParseArpa(Fixture(GetParam()));
  ASSERT_NE(arpa, nullptr);
  const std::string bytes = LmBinary::Serialize(*arpa);
  absl::StatusOr<std::unique_ptr<ArpaLm>> from_bytes = LmBinary::Parse(bytes);
  ASSERT_TRUE(from_bytes.ok()) << from_bytes.status();
  ExpectSameModel(*arpa, **from_bytes);
  EXPECT_EQ(LmBinary::Serialize(**from_bytes), bytes);

  const std::string path = TempPath("round_trip");
  ASSERT_TRUE(LmBinary::Write(*arpa, path).ok());
  EXPECT_EQ(ReadFile(path), bytes);
  absl::StatusOr<std::unique_ptr<ArpaLm>> loaded = ArpaLm::Load(path);  // detects the magic
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSameModel(*arpa, **loaded);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LmBinaryRoundTripTest,
                         ::testing::Values("nn/golden/tiny_3gram.arpa",
                                           "models/golden/asr_tiny.arpa", "random"));

TEST(LmBinaryTest, ConfigAppliesToBinaryModels) {
  const std::string text = "\\data\\\nngram 1=2\n\n\\1-grams:\n-0.3 a\n-0.5 b\n\n\\end\\\n";
  std::unique_ptr<ArpaLm> arpa = ParseArpa(text);
  ASSERT_NE(arpa, nullptr);
  ArpaLmConfig config;
  config.oov_log_prob = -7.5;
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(LmBinary::Serialize(*arpa), config);
  ASSERT_TRUE(lm.ok()) << lm.status();
  EXPECT_EQ((*lm)->LogProb({}, ArpaLm::kNoWord), -7.5);
  config.oov_log_prob = 1.0;
  EXPECT_FALSE(LmBinary::Parse(LmBinary::Serialize(*arpa), config).ok());
}

TEST(LmBinaryTest, FormatIsDetectedByMagic) {
  const std::string arpa_path = std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/tiny_3gram.arpa";
  absl::StatusOr<std::unique_ptr<ArpaLm>> not_binary = LmBinary::Load(arpa_path);
  EXPECT_EQ(not_binary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(not_binary.status().message(), HasSubstr("magic"));
  EXPECT_TRUE(LmBinary::HasMagic(LmBinary::Serialize(*ParseArpa(Fixture("random")))));
  EXPECT_FALSE(LmBinary::HasMagic("\\data\\"));
  EXPECT_EQ(ArpaLm::Load("/no/such/file.bin").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(LmBinary::Load("/no/such/file.bin").status().code(), absl::StatusCode::kNotFound);
}

std::string TinyBinary() {
  return LmBinary::Serialize(*ParseArpa(Fixture("nn/golden/tiny_3gram.arpa")));
}

TEST(LmBinaryTest, TruncatedAtEveryOffsetIsAnError) {
  const std::string bytes = TinyBinary();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(bytes.substr(0, n));
    ASSERT_FALSE(lm.ok()) << n;
    if (n < LmBinary::kMagic.size()) {
      EXPECT_EQ(lm.status().code(), absl::StatusCode::kInvalidArgument) << n;
    } else {
      EXPECT_EQ(lm.status().code(), absl::StatusCode::kDataLoss) << n;
      EXPECT_THAT(lm.status().message(), HasSubstr("truncated")) << n;
    }
  }
  EXPECT_FALSE(LmBinary::Parse(bytes + "x").ok());
  const std::string path = TempPath("truncated");
  for (std::size_t n : {std::size_t{10}, LmBinary::kHeaderBytes, bytes.size() - 1}) {
    std::ofstream(path, std::ios::binary) << bytes.substr(0, n);
    absl::StatusOr<std::unique_ptr<ArpaLm>> lm = ArpaLm::Load(path);
    EXPECT_EQ(lm.status().code(), absl::StatusCode::kDataLoss) << n;
    EXPECT_THAT(lm.status().message(), HasSubstr(path));
  }
  std::filesystem::remove(path);
}

TEST(LmBinaryTest, EveryFlippedByteIsAnError) {
  const std::string bytes = TinyBinary();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xFF}) {
      std::string bad = bytes;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(bad);
      ASSERT_FALSE(lm.ok()) << "byte " << i << " mask " << int{mask};
      EXPECT_THAT(lm.status().code(),
                  AnyOf(absl::StatusCode::kDataLoss, absl::StatusCode::kInvalidArgument,
                        absl::StatusCode::kFailedPrecondition));
    }
  }
}

// Overwrites 4 bytes at `offset` and fixes the checksum, as a buggy writer would.
std::string Patch(std::string bytes, std::size_t offset, uint32_t value) {
  std::memcpy(bytes.data() + offset, &value, sizeof(value));
  const uint64_t checksum = LmBinary::Checksum(bytes);
  std::memcpy(bytes.data() + LmBinary::kChecksumOffset, &checksum, sizeof(checksum));
  return bytes;
}

TEST(LmBinaryTest, WrongVersionNamesBothVersions) {
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(Patch(TinyBinary(), 8, 2));
  EXPECT_EQ(lm.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(lm.status().message(), HasSubstr("version 2; this build reads version 1"));
  EXPECT_THAT(lm.status().message(), HasSubstr("auris-lm-compile"));
}

// tiny_3gram: 3 counts, 13 entries, 32 table slots, 6 words.
constexpr std::size_t kTable = LmBinary::kHeaderBytes + 3 * 8 + 13 * 24;

struct Damage {
  std::size_t offset;  // from the start of the entries, or from the start of the file
  bool in_entries;
  uint32_t value;
  std::string what;
};

class LmBinaryDamageTest : public ::testing::TestWithParam<Damage> {};

// A consistent checksum does not let bad indices through: links that could loop or read out
// of bounds are all checked.
TEST_P(LmBinaryDamageTest, ValidChecksumStillValidated) {
  const Damage& d = GetParam();
  const std::size_t entries = LmBinary::kHeaderBytes + 3 * sizeof(int64_t);
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm =
      LmBinary::Parse(Patch(TinyBinary(), (d.in_entries ? entries : 0) + d.offset, d.value));
  ASSERT_FALSE(lm.ok());
  EXPECT_EQ(lm.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(lm.status().message(), HasSubstr(d.what));
}

// Entry i starts at 24 * i: word, context, suffix, order, ln p, ln back-off. tiny_3gram: 1-grams
// are entries 1-6, 2-grams 7-10, 3-grams 11-12 (12 suffix-links to 9, "cat sat").
INSTANTIATE_TEST_SUITE_P(
    Cases, LmBinaryDamageTest,
    ::testing::Values(Damage{24 * 12 + 8, true, 12, "entry 12 (3-gram)"},         // suffix loop
                      Damage{24 * 11 + 4, true, 11, "entry 11 (3-gram)"},         // context loop
                      Damage{24 * 7 + 0, true, 6, "entry 7 (2-gram)"},            // word >= vocab
                      Damage{24 * 3 + 12, true, 2, "entry 3 (1-gram)"},           // wrong order
                      Damage{24 * 8 + 16, true, 0x7fc00000u, "bad probability"},  // NaN
                      Damage{24 * 0 + 20, true, 0x3f800000u, "empty history"},
                      Damage{32, false, 6, "order 6"}, Damage{40, false, 14, "sections add up to"},
                      Damage{48, false, 48, "table size 48"},
                      Damage{64, false, 7, "7 1-grams but 6 words"},
                      Damage{72, false, 99, "ngram 2=99"},
                      Damage{kTable, false, 77, "table holds entry 77"},
                      Damage{kTable + 4 * 32 + 4, false, 900, "word offsets"}));

TEST(LmBinaryTest, EntryMissingFromTheTable) {
  std::string bytes = TinyBinary();
  for (std::size_t slot = kTable;; slot += 4) {
    uint32_t id = 0;
    std::memcpy(&id, bytes.data() + slot, 4);
    if (id == 0) continue;
    absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(Patch(bytes, slot, id % 12 + 1));
    EXPECT_EQ(lm.status().code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(lm.status().message(), HasSubstr("is not where the table says"));
    break;
  }
}

TEST(LmBinaryTest, RandomDamageWithValidChecksumNeverCrashes) {
  const std::string bytes = TinyBinary();
  std::mt19937 rng(11);
  std::uniform_int_distribution<std::size_t> offset(LmBinary::kHeaderBytes, bytes.size() - 4);
  std::uniform_int_distribution<uint32_t> value(0, 40);
  int loaded = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = bytes;
    for (int k = 0; k < 1 + trial % 3; ++k) bad = Patch(bad, offset(rng), value(rng));
    absl::StatusOr<std::unique_ptr<ArpaLm>> lm = LmBinary::Parse(bad);
    if (!lm.ok()) continue;
    ++loaded;
    const ArpaLm& m = **lm;
    for (int32_t h = -1; h <= m.vocab_size(); ++h) {
      for (int32_t w = -1; w <= m.vocab_size(); ++w) {
        const int32_t history[] = {h, h};
        const double p = m.LogProb(history, w);
        EXPECT_FALSE(std::isnan(p));
      }
    }
  }
  EXPECT_LT(loaded, 3000);
}

}  // namespace
}  // namespace auris::nn
