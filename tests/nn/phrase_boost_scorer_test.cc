#include "nn/phrase_boost_scorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "nn/ctc_prefix_beam_search.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

constexpr double kTol = 1e-9;
const std::vector<std::string> kSymbols = {"<blank>", "a", "b", "c", " "};

int32_t Id(char c) {
  for (int32_t i = 1; i < static_cast<int32_t>(kSymbols.size()); ++i) {
    if (kSymbols[i][0] == c) return i;
  }
  return -1;
}

std::unique_ptr<PhraseBoostScorer> Make(const std::vector<BoostedPhrase>& phrases,
                                        const CtcScorer* inner = nullptr) {
  absl::StatusOr<std::unique_ptr<PhraseBoostScorer>> s =
      PhraseBoostScorer::Create(phrases, kSymbols, 0, " ", inner);
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? std::move(*s) : nullptr;
}

// Per-step scores of spelling `text`, then the final score as the last entry.
std::vector<double> Steps(const CtcScorer& scorer, const std::string& text) {
  uint64_t state = scorer.StartState();
  std::vector<double> out;
  for (char c : text) out.push_back(scorer.Score(state, Id(c), &state));
  out.push_back(scorer.FinalScore(state));
  return out;
}

double Total(const CtcScorer& scorer, const std::string& text) {
  double total = 0.0;
  for (double s : Steps(scorer, text)) total += s;
  return total;
}

void ExpectSteps(const CtcScorer& scorer, const std::string& text, std::vector<double> want) {
  const std::vector<double> got = Steps(scorer, text);
  ASSERT_EQ(got.size(), want.size()) << text;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], kTol) << text << " @" << i;
}

TEST(PhraseBoostScorerTest, OneWordIsFavouredWhileSpelledAndKeptWhenCompleted) {
  auto s = Make({{"ab", 2.0}});
  ExpectSteps(*s, "ab", {1.0, 1.0, 0.0});
  ExpectSteps(*s, "ab ", {1.0, 1.0, 0.0, 0.0});
  ExpectSteps(*s, "ab c", {1.0, 1.0, 0.0, 0.0, 0.0});
}

TEST(PhraseBoostScorerTest, IncompletePhraseGivesTheBonusBack) {
  auto s = Make({{"ab", 2.0}});
  ExpectSteps(*s, "ac", {1.0, -1.0, 0.0});
  ExpectSteps(*s, "abc", {1.0, 1.0, -2.0, 0.0});  // "ab" inside "abc" is not the word
  ExpectSteps(*s, "a", {1.0, -1.0});              // utterance ends mid-phrase
  ExpectSteps(*s, "a ", {1.0, -1.0, 0.0});
}

TEST(PhraseBoostScorerTest, PhrasesStartOnlyAtWordStarts) {
  auto s = Make({{"ab", 2.0}});
  ExpectSteps(*s, "cab", {0.0, 0.0, 0.0, 0.0});
  ExpectSteps(*s, "c ab", {0.0, 0.0, 1.0, 1.0, 0.0});
  EXPECT_NEAR(Total(*s, "ab ab"), 4.0, kTol);
}

TEST(PhraseBoostScorerTest, TwoWordPhraseEarnsBoostPerWord) {
  auto s = Make({{"ab c", 1.0}});
  // a: 0.5, ab: 1, "ab ": 1, "ab c": 2.
  ExpectSteps(*s, "ab c", {0.5, 0.5, 0.0, 1.0, 0.0});
  // Fails at the second word: gives back 1, and "a" restarts the phrase (0.5, given back at
  // the end).
  ExpectSteps(*s, "ab a", {0.5, 0.5, 0.0, -1.0 + 0.5, -0.5});
}

TEST(PhraseBoostScorerTest, CompletedShorterPhraseIsKeptWhenTheLongerOneFails) {
  auto s = Make({{"ab", 1.0}, {"ab c", 1.0}});
  ExpectSteps(*s, "ab a", {0.5, 0.5, 0.0, 0.0 + 0.5, -0.5});
  EXPECT_NEAR(Total(*s, "ab a"), 1.0, kTol);
  EXPECT_NEAR(Total(*s, "ab c"), 2.0, kTol);
  EXPECT_NEAR(Total(*s, "ab "), 1.0, kTol);
}

TEST(PhraseBoostScorerTest, PhrasesAreNormalised) {
  auto s = Make({{"  AB   C ", 1.0}});
  EXPECT_NEAR(Total(*s, "ab c"), 2.0, kTol);
}

TEST(PhraseBoostScorerTest, RejectsBadInput) {
  absl::StatusOr<std::unique_ptr<PhraseBoostScorer>> s =
      PhraseBoostScorer::Create({{"abd", 1.0}}, kSymbols, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("'d'"));
  EXPECT_FALSE(PhraseBoostScorer::Create({{"ab", -1.0}}, kSymbols, 0).ok());
  EXPECT_FALSE(PhraseBoostScorer::Create({{"  ", 1.0}}, kSymbols, 0).ok());
  EXPECT_FALSE(PhraseBoostScorer::Create({{"ab", 1.0}}, {"<blank>", "a", "b"}, 0).ok());
}

// An inner scorer with a visible state: -0.25 per symbol, -1 at the end, state = length.
class CountingScorer : public CtcScorer {
 public:
  uint64_t StartState() const override { return 100; }
  double Score(uint64_t state, int32_t, uint64_t* next) const override {
    *next = state + 1;
    return -0.25;
  }
  double FinalScore(uint64_t state) const override { return state == 100 ? 0.0 : -1.0; }
};

TEST(PhraseBoostScorerTest, ComposesWithAnInnerScorer) {
  CountingScorer inner;
  auto s = Make({{"ab", 2.0}}, &inner);
  ExpectSteps(*s, "ab", {0.75, 0.75, -1.0});
  ExpectSteps(*s, "ac", {0.75, -1.25, -1.0});
  EXPECT_GT(s->interned_pairs(), 0u);
}

TEST(PhraseBoostScorerTest, BoostFlipsTheBeamSearchDecision) {
  // Frame 0: a (0.9); frame 1: c (0.55) slightly over b (0.45).
  const std::vector<float> log_probs = {
      std::log(0.1f),  std::log(0.9f),  std::log(1e-6f), std::log(1e-6f), std::log(1e-6f),
      std::log(1e-6f), std::log(1e-6f), std::log(0.45f), std::log(0.55f), std::log(1e-6f)};
  CtcPrefixBeamSearchConfig config;
  config.beam_size = 8;
  auto plain = CtcPrefixBeamSearch::Create(config);
  ASSERT_TRUE(plain.ok());
  auto best = (*plain)->Decode(log_probs, 2, 5);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->front().symbols, (std::vector<int32_t>{Id('a'), Id('c')}));
  auto boost = Make({{"ab", 1.0}});
  auto boosted = CtcPrefixBeamSearch::Create(config, boost.get());
  ASSERT_TRUE(boosted.ok());
  best = (*boosted)->Decode(log_probs, 2, 5);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->front().symbols, (std::vector<int32_t>{Id('a'), Id('b')}));
  EXPECT_NEAR(best->front().score - best->front().log_prob, 1.0, 1e-6);
}

}  // namespace
}  // namespace auris::nn
