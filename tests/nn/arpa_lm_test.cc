#include "nn/arpa_lm.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"

namespace auris::nn {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kLn10 = 2.302585092994045684;
constexpr double kTol = 1e-5;

std::unique_ptr<ArpaLm> LoadTiny(const ArpaLmConfig& config = {}) {
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm =
      ArpaLm::Load(std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/tiny_3gram.arpa", config);
  EXPECT_TRUE(lm.ok()) << lm.status();
  return lm.ok() ? std::move(*lm) : nullptr;
}

std::vector<int32_t> Ids(const ArpaLm& lm, const std::vector<std::string>& words) {
  std::vector<int32_t> ids;
  for (const std::string& w : words) ids.push_back(lm.WordId(w));
  return ids;
}

double LogProb(const ArpaLm& lm, const std::vector<std::string>& history, const std::string& word) {
  return lm.LogProb(Ids(lm, history), lm.WordId(word));
}

TEST(ArpaLmTest, ParsesCountsAndVocabulary) {
  std::unique_ptr<ArpaLm> lm = LoadTiny();
  ASSERT_NE(lm, nullptr);
  EXPECT_EQ(lm->order(), 3);
  EXPECT_EQ(lm->vocab_size(), 6);
  EXPECT_EQ(lm->num_ngrams(1), 6);
  EXPECT_EQ(lm->num_ngrams(2), 4);
  EXPECT_EQ(lm->num_ngrams(3), 2);
  EXPECT_EQ(lm->Word(lm->bos_id()), "<s>");
  EXPECT_EQ(lm->Word(lm->eos_id()), "</s>");
  EXPECT_EQ(lm->Word(lm->unk_id()), "<unk>");
  EXPECT_EQ(lm->WordId("dog"), lm->unk_id());
}

TEST(ArpaLmTest, HandComputedProbabilities) {
  std::unique_ptr<ArpaLm> lm = LoadTiny();
  ASSERT_NE(lm, nullptr);
  // Listed n-grams.
  EXPECT_NEAR(LogProb(*lm, {"<s>", "the"}, "cat"), -0.05 * kLn10, kTol);
  EXPECT_NEAR(LogProb(*lm, {"the", "cat"}, "sat"), -0.15 * kLn10, kTol);
  EXPECT_NEAR(LogProb(*lm, {}, "cat"), -0.8 * kLn10, kTol);
  // bow(<s> the) + bow(the) + P(sat).
  EXPECT_NEAR(LogProb(*lm, {"<s>", "the"}, "sat"), (-0.4 - 0.3 - 1.0) * kLn10, kTol);
  // bow(cat) + P(the).
  EXPECT_NEAR(LogProb(*lm, {"cat"}, "the"), (-0.2 - 0.5) * kLn10, kTol);
  // "cat sat" has no back-off weight (0): P(</s> | sat).
  EXPECT_NEAR(LogProb(*lm, {"cat", "sat"}, "</s>"), -0.1 * kLn10, kTol);
  // "sat the" is not listed: the history shrinks to "the".
  EXPECT_NEAR(LogProb(*lm, {"sat", "the"}, "cat"), -0.3 * kLn10, kTol);
  // Only the last order-1 words matter.
  EXPECT_NEAR(LogProb(*lm, {"cat", "cat", "the", "cat"}, "sat"), -0.15 * kLn10, kTol);
  // Unknown word: bow(the) + P(<unk>).
  EXPECT_NEAR(LogProb(*lm, {"the"}, "dog"), (-0.3 - 1.0) * kLn10, kTol);
}

TEST(ArpaLmTest, IncrementalStatesFollowTheLongestListedSuffix) {
  std::unique_ptr<ArpaLm> lm = LoadTiny();
  ASSERT_NE(lm, nullptr);
  ArpaLm::State s = lm->BeginSentenceState();
  EXPECT_THAT(lm->StateWords(s), ElementsAre(lm->bos_id()));
  double total = 0.0;
  for (const char* word : {"the", "cat", "sat", "</s>"}) {
    total += lm->Score(s, lm->WordId(word), &s);
    if (std::string(word) == "cat") {
      EXPECT_THAT(lm->StateWords(s), ElementsAre(lm->WordId("the"), lm->WordId("cat")));
    }
  }
  EXPECT_NEAR(total, (-0.2 - 0.05 - 0.15 - 0.1) * kLn10, kTol);
  EXPECT_THAT(lm->StateWords(s), ElementsAre(lm->WordId("sat"), lm->eos_id()));
}

TEST(ArpaLmTest, UnknownWordWithoutUnkUsesFloor) {
  const std::string text = "\\data\\\nngram 1=2\n\n\\1-grams:\n-0.3 a\n-0.5 b\n\n\\end\\\n";
  ArpaLmConfig config;
  config.oov_log_prob = -7.5;
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = ArpaLm::Parse(text, config);
  ASSERT_TRUE(lm.ok()) << lm.status();
  EXPECT_EQ((*lm)->WordId("zzz"), ArpaLm::kNoWord);
  EXPECT_EQ((*lm)->LogProb({}, ArpaLm::kNoWord), -7.5);
  EXPECT_NEAR((*lm)->LogProb({}, (*lm)->WordId("b")), -0.5 * kLn10, kTol);
  EXPECT_EQ((*lm)->BeginSentenceState(), ArpaLm::kEmptyState);
}

TEST(ArpaLmTest, ConfigValidation) {
  ArpaLmConfig config;
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_THAT(config.ToString(), HasSubstr("oov_log_prob"));
  config.oov_log_prob = 1.0;
  EXPECT_FALSE(config.Validate().ok());
  EXPECT_FALSE(ArpaLm::Parse("", config).ok());
}

struct Malformed {
  std::vector<std::string> lines;
  std::string line;  // "ARPA line N"
  std::string what;
};

class ArpaLmMalformedTest : public ::testing::TestWithParam<Malformed> {};

TEST_P(ArpaLmMalformedTest, NamesLineAndProblem) {
  const Malformed& m = GetParam();
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm = ArpaLm::Parse(absl::StrJoin(m.lines, "\n"));
  ASSERT_FALSE(lm.ok());
  EXPECT_EQ(lm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(lm.status().message()), AllOf(HasSubstr(m.line), HasSubstr(m.what)));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ArpaLmMalformedTest,
    ::testing::Values(
        Malformed{{"hello", "world"}, "line 2", "missing \\data\\"},
        Malformed{{"\\data\\", "ngram 1=x"}, "line 2", "ngram N=count"},
        Malformed{{"\\data\\", "ngram 2=1"}, "line 2", "expected ngram 1"},
        Malformed{{"\\data\\", "ngram 1=1", "", "\\2-grams:"}, "line 4", "expected section"},
        Malformed{{"\\data\\", "ngram 1=3", "", "\\1-grams:", "-1 a", "-1 b", "\\end\\"},
                  "line 4",
                  "has 2 entries but \\data\\ declares ngram 1=3"},
        Malformed{{"\\data\\", "ngram 1=1", "\\1-grams:", "-0.x a", "\\end\\"},
                  "line 4",
                  "bad log10 probability '-0.x'"},
        Malformed{{"\\data\\", "ngram 1=1", "\\1-grams:", "0.5 a", "\\end\\"},
                  "line 4",
                  "log10 probability '0.5'"},
        Malformed{{"\\data\\", "ngram 1=1", "\\1-grams:", "-1 a zz", "\\end\\"},
                  "line 4",
                  "order mismatch"},
        Malformed{{"\\data\\", "ngram 1=2", "ngram 2=1", "\\1-grams:", "-1 a -0.1", "-1 b",
                   "\\2-grams:", "-1 a b c", "\\end\\"},
                  "line 8",
                  "order mismatch: a 2-gram line"},
        Malformed{{"\\data\\", "ngram 1=2", "ngram 2=1", "\\1-grams:", "-1 a -x", "-1 b"},
                  "line 5",
                  "bad back-off weight '-x'"},
        Malformed{{"\\data\\", "ngram 1=2", "ngram 2=1", "\\1-grams:", "-1 a", "-1 b",
                   "\\2-grams:", "-1 a q", "\\end\\"},
                  "line 8",
                  "word 'q' is not a listed 1-gram"},
        Malformed{{"\\data\\", "ngram 1=2", "ngram 2=1", "ngram 3=1", "\\1-grams:", "-1 a", "-1 b",
                   "\\2-grams:", "-1 a b", "\\3-grams:", "-1 b a b", "\\end\\"},
                  "line 11",
                  "context 'b a' is not listed as a 2-gram"},
        Malformed{{"\\data\\", "ngram 1=2", "\\1-grams:", "-1 a", "-1 a", "\\end\\"},
                  "line 5",
                  "duplicate 1-gram 'a'"},
        Malformed{
            {"\\data\\", "ngram 1=1", "\\1-grams:", "-1 a", ""}, "line 5", "expected \\end\\"}));

}  // namespace
}  // namespace auris::nn
