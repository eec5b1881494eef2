#include "nn/phrase_grammar_scorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nn/ctc_prefix_beam_search.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::vector<std::string> kSymbols = {"<blank>", "a", "b", "c", " "};

int32_t Id(char c) {
  for (int32_t i = 1; i < static_cast<int32_t>(kSymbols.size()); ++i) {
    if (kSymbols[i][0] == c) return i;
  }
  return -1;
}

std::unique_ptr<PhraseGrammarScorer> Make(const std::vector<std::string>& phrases,
                                          const CtcScorer* inner = nullptr) {
  absl::StatusOr<std::unique_ptr<PhraseGrammarScorer>> s =
      PhraseGrammarScorer::Create(phrases, kSymbols, 0, " ", inner);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

double Total(const CtcScorer& scorer, const std::string& text) {
  uint64_t state = scorer.StartState();
  double total = 0.0;
  for (char c : text) {
    total += scorer.Score(state, Id(c), &state);
    if (total == -kInf) return total;
  }
  return total + scorer.FinalScore(state);
}

TEST(PhraseGrammarScorerTest, AcceptsSequencesOfPhrasesOnly) {
  auto s = Make({"ab", "ab c", "c"});
  for (const char* ok : {"", "ab", "ab c", "c", "c ab", "ab ab", "ab c c", "ab ", " ab"}) {
    EXPECT_EQ(Total(*s, ok), 0.0) << '"' << ok << '"';
  }
  for (const char* bad : {"a", "b", "abc", "ab b", "ca", "ab c a", "cc"}) {
    EXPECT_EQ(Total(*s, bad), -kInf) << '"' << bad << '"';
  }
}

TEST(PhraseGrammarScorerTest, ForbidsTheFirstWrongSymbolAtOnce) {
  auto s = Make({"ab"});
  uint64_t state = s->StartState();
  EXPECT_EQ(s->Score(state, Id('a'), &state), 0.0);
  EXPECT_EQ(s->FinalScore(state), -kInf);  // "a" is not a phrase
  uint64_t dead = 0;
  EXPECT_EQ(s->Score(state, Id('c'), &dead), -kInf);
  EXPECT_EQ(s->Score(state, Id('b'), &state), 0.0);
  EXPECT_EQ(s->FinalScore(state), 0.0);
}

class ConstantScorer : public CtcScorer {
 public:
  uint64_t StartState() const override { return 7; }
  double Score(uint64_t state, int32_t, uint64_t* next) const override {
    *next = state;
    return -0.5;
  }
  double FinalScore(uint64_t) const override { return -2.0; }
};

TEST(PhraseGrammarScorerTest, ComposesWithAnInnerScorer) {
  ConstantScorer inner;
  auto s = Make({"ab"}, &inner);
  EXPECT_DOUBLE_EQ(Total(*s, "ab"), -3.0);
  EXPECT_EQ(Total(*s, "ac"), -kInf);
}

TEST(PhraseGrammarScorerTest, RestrictsTheBeamSearch) {
  // Frame 0: c 0.6, a 0.4; frame 1: b 0.7, blank 0.3. Free decoding says "cb"; the grammar
  // {"ab", "c"} allows "ab" (0.28) or "c" (0.18).
  const float tiny = std::log(1e-9f);
  const std::vector<float> log_probs = {
      tiny,           std::log(0.4f), tiny,           std::log(0.6f), tiny,
      std::log(0.3f), tiny,           std::log(0.7f), tiny,           tiny};
  CtcPrefixBeamSearchConfig config;
  config.beam_size = 8;
  auto plain = CtcPrefixBeamSearch::Create(config);
  ASSERT_TRUE(plain.ok());
  auto best = (*plain)->Decode(log_probs, 2, 5);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->front().symbols, (std::vector<int32_t>{Id('c'), Id('b')}));
  auto grammar = Make({"ab", "c"});
  auto restricted = CtcPrefixBeamSearch::Create(config, grammar.get());
  ASSERT_TRUE(restricted.ok());
  best = (*restricted)->Decode(log_probs, 2, 5);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->front().symbols, (std::vector<int32_t>{Id('a'), Id('b')}));
  EXPECT_NEAR(best->front().score, std::log(0.28), 1e-5);
}

TEST(PhraseGrammarScorerTest, RejectsBadInput) {
  EXPECT_FALSE(PhraseGrammarScorer::Create({}, kSymbols, 0).ok());
  absl::StatusOr<std::unique_ptr<PhraseGrammarScorer>> s =
      PhraseGrammarScorer::Create({"a-b"}, kSymbols, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("'-'"));
}

}  // namespace
}  // namespace auris::nn
