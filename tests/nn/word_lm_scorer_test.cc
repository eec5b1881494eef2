#include "nn/word_lm_scorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "nn/ctc_prefix_beam_search.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

constexpr double kLn10 = 2.302585092994045684;
constexpr double kTol = 1e-5;
// Symbol ids: 0 blank, 1 space, then letters.
const std::vector<std::string> kSymbols = {"", " ", "t", "h", "e", "c", "a", "k"};
constexpr int kVocab = 8;

std::shared_ptr<const ArpaLm> TinyLm() {
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm =
      ArpaLm::Load(std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/tiny_3gram.arpa");
  EXPECT_TRUE(lm.ok()) << lm.status();
  return lm.ok() ? std::shared_ptr<const ArpaLm>(std::move(*lm)) : nullptr;
}

std::unique_ptr<WordLmScorer> MakeScorer(double lm_weight, double bonus = 0.0) {
  WordLmScorerConfig config;
  config.lm_weight = lm_weight;
  config.word_insertion_bonus = bonus;
  absl::StatusOr<std::unique_ptr<WordLmScorer>> scorer =
      WordLmScorer::Create(config, TinyLm(), kSymbols);
  EXPECT_TRUE(scorer.ok()) << scorer.status();
  return scorer.ok() ? std::move(*scorer) : nullptr;
}

int32_t SymbolOf(char c) {
  for (int32_t i = 1; i < kVocab; ++i) {
    if (kSymbols[i] == std::string(1, c)) return i;
  }
  return -1;
}

// Total scorer score of spelling `text` symbol by symbol, final score included.
double ScoreText(const WordLmScorer& scorer, const std::string& text) {
  uint64_t state = scorer.StartState();
  double total = 0.0;
  for (char c : text) total += scorer.Score(state, SymbolOf(c), &state);
  return total + scorer.FinalScore(state);
}

std::string Spell(const std::vector<int32_t>& symbols) {
  std::string out;
  for (int32_t s : symbols) out += kSymbols[s];
  return out;
}

// "the ?at": one confident frame per character; the fifth frame is 0.5 'k' vs 0.45 'c'.
std::vector<float> TheCatPosteriors() {
  const std::string text = "the cat";
  std::vector<float> lp;
  for (std::size_t t = 0; t < text.size(); ++t) {
    std::vector<double> p(kVocab, 0.1 / (kVocab - 1));
    p[SymbolOf(text[t])] = 0.9;
    if (t == 4) {
      p.assign(kVocab, 0.05 / (kVocab - 2));
      p[SymbolOf('k')] = 0.5;
      p[SymbolOf('c')] = 0.45;
    }
    for (double v : p) lp.push_back(static_cast<float>(std::log(v)));
  }
  return lp;
}

std::vector<CtcHypothesis> Decode(const CtcScorer* scorer) {
  CtcPrefixBeamSearchConfig config;
  config.beam_size = 16;
  config.nbest = 2;
  auto decoder = CtcPrefixBeamSearch::Create(config, scorer);
  EXPECT_TRUE(decoder.ok()) << decoder.status();
  const std::vector<float> lp = TheCatPosteriors();
  auto result = (*decoder)->Decode(lp, static_cast<int>(lp.size()) / kVocab, kVocab);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : std::vector<CtcHypothesis>{};
}

TEST(WordLmScorerTest, HandComputedSentenceScore) {
  std::unique_ptr<WordLmScorer> scorer = MakeScorer(0.5, 0.25);
  ASSERT_NE(scorer, nullptr);
  // P(the|<s>) + P(cat|<s> the) + P(</s>|the cat) = -0.2 - 0.05 + (-0.25 - 0.2 - 0.6).
  EXPECT_NEAR(ScoreText(*scorer, "the cat"), 0.5 * (-1.3 * kLn10) + 2 * 0.25, kTol);
  // Leading, doubled and trailing separators complete no word.
  EXPECT_NEAR(ScoreText(*scorer, " the  cat "), ScoreText(*scorer, "the cat"), kTol);
  // "kat" is <unk>: bow(<s> the) + bow(the) + P(<unk>), then P(</s>|<unk>) = P(</s>).
  EXPECT_NEAR(ScoreText(*scorer, "the kat"),
              0.5 * (-0.2 + (-0.4 - 0.3 - 1.0) - 0.6) * kLn10 + 2 * 0.25, kTol);
  // "ca" is a prefix of "cat" but no word: also <unk>.
  EXPECT_NEAR(ScoreText(*scorer, "the ca"), ScoreText(*scorer, "the kat"), kTol);
  // Empty utterance: P(</s>|<s>) = bow(<s>) + P(</s>).
  EXPECT_NEAR(ScoreText(*scorer, ""), 0.5 * (-0.5 - 0.6) * kLn10, kTol);
}

TEST(WordLmScorerTest, ScoresOnlyAtWordEnds) {
  std::unique_ptr<WordLmScorer> scorer = MakeScorer(1.0);
  ASSERT_NE(scorer, nullptr);
  uint64_t state = scorer->StartState();
  for (char c : std::string("the")) EXPECT_EQ(scorer->Score(state, SymbolOf(c), &state), 0.0);
  EXPECT_NEAR(scorer->Score(state, SymbolOf(' '), &state), -0.2 * kLn10, kTol);
  uint64_t unknown = 0;
  EXPECT_EQ(scorer->Score(state, 99, &unknown), 0.0);
  EXPECT_NEAR(scorer->Score(unknown, SymbolOf(' '), &unknown), (-0.4 - 0.3 - 1.0) * kLn10, kTol);
}

TEST(WordLmScorerTest, LmFlipsAcousticallyPreferredSpelling) {
  const std::vector<CtcHypothesis> acoustic = Decode(nullptr);
  ASSERT_FALSE(acoustic.empty());
  EXPECT_EQ(Spell(acoustic[0].symbols), "the kat");

  std::unique_ptr<WordLmScorer> scorer = MakeScorer(0.5);
  ASSERT_NE(scorer, nullptr);
  const std::vector<CtcHypothesis> fused = Decode(scorer.get());
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(Spell(fused[0].symbols), "the cat");
  EXPECT_EQ(Spell(fused[1].symbols), "the kat");
  EXPECT_LT(fused[0].log_prob, fused[1].log_prob);  // acoustics still prefer "kat"
  EXPECT_NEAR(fused[0].score - fused[0].log_prob, ScoreText(*scorer, "the cat"), kTol);
}

TEST(WordLmScorerTest, ZeroWeightGivesAcousticResult) {
  std::unique_ptr<WordLmScorer> scorer = MakeScorer(0.0);
  ASSERT_NE(scorer, nullptr);
  const std::vector<CtcHypothesis> acoustic = Decode(nullptr);
  const std::vector<CtcHypothesis> fused = Decode(scorer.get());
  ASSERT_EQ(fused.size(), acoustic.size());
  for (std::size_t i = 0; i < fused.size(); ++i) {
    EXPECT_EQ(fused[i].symbols, acoustic[i].symbols);
    EXPECT_NEAR(fused[i].score, acoustic[i].score, 1e-9);
  }
}

TEST(WordLmScorerTest, SharedAcrossThreads) {
  std::unique_ptr<WordLmScorer> scorer = MakeScorer(0.5);
  ASSERT_NE(scorer, nullptr);
  const std::vector<CtcHypothesis> expected = Decode(scorer.get());
  std::vector<std::vector<CtcHypothesis>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) {
    threads.emplace_back([&r, &scorer] { r = Decode(scorer.get()); });
  }
  for (std::thread& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), expected.size());
    EXPECT_EQ(r[0].symbols, expected[0].symbols);
    EXPECT_EQ(r[0].score, expected[0].score);
  }
}

TEST(WordLmScorerTest, ConfigAndCreateErrors) {
  WordLmScorerConfig config;
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_THAT(config.ToString(), HasSubstr("lm_weight=0.5"));
  config.lm_weight = -1.0;
  EXPECT_FALSE(config.Validate().ok());
  config = {};
  config.word_insertion_bonus = NAN;
  EXPECT_FALSE(config.Validate().ok());
  config = {};
  EXPECT_THAT(WordLmScorer::Create(config, nullptr, kSymbols).status().message(),
              HasSubstr("needs an LM"));
  EXPECT_THAT(WordLmScorer::Create(config, TinyLm(), {"", "a"}).status().message(),
              HasSubstr("no symbol is the word separator"));
  EXPECT_THAT(WordLmScorer::Create(config, TinyLm(), {"", " ", " "}).status().message(),
              HasSubstr("both are the word separator"));
}

}  // namespace
}  // namespace auris::nn
