#include "nn/lexicon_scorer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "nn/ctc_prefix_beam_search.h"
#include "nn/phrase_boost_scorer.h"

namespace auris::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
// Symbol ids: 0 blank, 1 space, then letters.
const std::vector<std::string> kSymbols = {"", " ", "t", "h", "e", "c", "a", "k"};
constexpr int kVocab = 8;

int32_t SymbolOf(char c) {
  for (int32_t i = 1; i < kVocab; ++i) {
    if (kSymbols[i] == std::string(1, c)) return i;
  }
  return -1;
}

std::string Spell(const std::vector<int32_t>& symbols, const std::vector<std::string>& table) {
  std::string out;
  for (int32_t s : symbols) out += table[s];
  return out;
}

std::shared_ptr<const ArpaLm> TinyLm() {
  absl::StatusOr<std::unique_ptr<ArpaLm>> lm =
      ArpaLm::Load(std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/tiny_3gram.arpa");
  EXPECT_TRUE(lm.ok()) << lm.status();
  return lm.ok() ? std::shared_ptr<const ArpaLm>(std::move(*lm)) : nullptr;
}

std::unique_ptr<LexiconScorer> MakeLexicon(const std::vector<std::string>& words,
                                           const WordLmScorer* lm = nullptr,
                                           const std::vector<std::string>& symbols = kSymbols) {
  absl::StatusOr<std::unique_ptr<LexiconScorer>> scorer =
      LexiconScorer::Create(words, symbols, " ", lm);
  EXPECT_TRUE(scorer.ok()) << scorer.status();
  return scorer.ok() ? std::move(*scorer) : nullptr;
}

// Total score of spelling `text`, final score included; -inf as soon as a symbol is forbidden.
double ScoreText(const CtcScorer& scorer, const std::string& text) {
  uint64_t state = scorer.StartState();
  double total = 0.0;
  for (char c : text) total += scorer.Score(state, SymbolOf(c), &state);
  return total + scorer.FinalScore(state);
}

TEST(LexiconScorerTest, ForbidsPrefixesAndIncompleteWords) {
  std::unique_ptr<LexiconScorer> lex = MakeLexicon({"the", "cat", "ca", "", "a b"});
  ASSERT_NE(lex, nullptr);
  EXPECT_EQ(lex->num_words(), 3);
  uint64_t state = lex->StartState();
  EXPECT_EQ(lex->Score(state, SymbolOf('t'), &state), 0.0);
  EXPECT_EQ(lex->Score(state, SymbolOf('h'), &state), 0.0);
  uint64_t dead = 0;
  EXPECT_EQ(lex->Score(state, SymbolOf('a'), &dead), kNegInf);  // "tha" extends to no word
  EXPECT_EQ(lex->Score(state, SymbolOf(' '), &dead), kNegInf);  // "th" is not a word
  EXPECT_EQ(lex->FinalScore(state), kNegInf);
  EXPECT_EQ(lex->Score(state, 99, &dead), kNegInf);
  EXPECT_EQ(ScoreText(*lex, "the cat"), 0.0);
  EXPECT_EQ(ScoreText(*lex, " the  ca "), 0.0);  // extra separators complete no word
  EXPECT_EQ(ScoreText(*lex, ""), 0.0);
  EXPECT_EQ(ScoreText(*lex, "the kat"), kNegInf);
  EXPECT_EQ(ScoreText(*lex, "the c"), kNegInf);
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

std::vector<CtcHypothesis> Decode(const CtcScorer* scorer, const std::vector<float>& lp, int vocab,
                                  int beam = 16, int nbest = 1) {
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = beam, .nbest = nbest}, scorer);
  EXPECT_TRUE(decoder.ok()) << decoder.status();
  auto result = (*decoder)->Decode(lp, static_cast<int>(lp.size()) / vocab, vocab);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : std::vector<CtcHypothesis>{};
}

TEST(LexiconScorerTest, InLexiconWordBeatsAcousticallyPreferredSpelling) {
  const std::vector<float> lp = TheCatPosteriors();
  EXPECT_EQ(Spell(Decode(nullptr, lp, kVocab)[0].symbols, kSymbols), "the kat");
  std::unique_ptr<LexiconScorer> lex = MakeLexicon({"the", "cat"});
  ASSERT_NE(lex, nullptr);
  const std::vector<CtcHypothesis> constrained = Decode(lex.get(), lp, kVocab);
  ASSERT_FALSE(constrained.empty());
  EXPECT_EQ(Spell(constrained[0].symbols, kSymbols), "the cat");
  EXPECT_EQ(constrained[0].score, constrained[0].log_prob);  // the lexicon adds no score
}

TEST(LexiconScorerTest, ComposesWithWordLmFromItsVocabulary) {
  std::shared_ptr<const ArpaLm> lm = TinyLm();
  ASSERT_NE(lm, nullptr);
  EXPECT_THAT(LexiconScorer::LmWords(*lm), ElementsAre("the", "cat", "sat"));
  WordLmScorerConfig config;
  config.lm_weight = 0.5;
  config.word_insertion_bonus = 0.25;
  auto word_lm = WordLmScorer::Create(config, lm, kSymbols);
  ASSERT_TRUE(word_lm.ok());
  std::unique_ptr<LexiconScorer> lex =
      MakeLexicon(LexiconScorer::LmWords(*lm), word_lm->get(), kSymbols);
  ASSERT_NE(lex, nullptr);
  EXPECT_EQ(ScoreText(*lex, "the cat"), ScoreText(**word_lm, "the cat"));
  EXPECT_EQ(ScoreText(*lex, " the  cat "), ScoreText(**word_lm, "the cat"));
  EXPECT_EQ(ScoreText(*lex, ""), ScoreText(**word_lm, ""));
  EXPECT_EQ(ScoreText(*lex, "the kat"), kNegInf);
  // A lexicon word the LM lacks scores as <unk>, like WordLmScorer's out-of-vocabulary words.
  std::unique_ptr<LexiconScorer> with_kat = MakeLexicon({"the", "kat"}, word_lm->get());
  ASSERT_NE(with_kat, nullptr);
  EXPECT_EQ(ScoreText(*with_kat, "the kat"), ScoreText(**word_lm, "the kat"));
  const std::vector<CtcHypothesis> best = Decode(lex.get(), TheCatPosteriors(), kVocab);
  ASSERT_FALSE(best.empty());
  EXPECT_EQ(Spell(best[0].symbols, kSymbols), "the cat");
  // And it is a CtcScorer like any other: a phrase boost may wrap it.
  auto boost = PhraseBoostScorer::Create({{"cat", 2.0}}, kSymbols, 0, " ", lex.get());
  ASSERT_TRUE(boost.ok()) << boost.status();
  EXPECT_EQ(ScoreText(**boost, "the kat"), kNegInf);
  EXPECT_GT(ScoreText(**boost, "the cat"), ScoreText(*lex, "the cat"));
}

// A finite oov_penalty lets other spellings through, each unknown word paying it once (when it
// leaves the trie, or at its end for a lexicon prefix that is no word) and scored as <unk>.
TEST(LexiconScorerTest, OovPenaltyLetsUnknownWordsThroughAtACost) {
  absl::StatusOr<std::unique_ptr<LexiconScorer>> open =
      LexiconScorer::Create({"the", "cat"}, kSymbols, " ", nullptr, 3.0);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(ScoreText(**open, "the cat"), 0.0);
  EXPECT_EQ(ScoreText(**open, "the kat"), -3.0);  // leaves the trie at 'k'
  EXPECT_EQ(ScoreText(**open, "kat kat"), -6.0);  // two unknown words
  EXPECT_EQ(ScoreText(**open, "tha cat"), -3.0);  // leaves the trie at the 'a' of "tha"
  EXPECT_EQ(ScoreText(**open, "th cat"), -3.0);   // "th": a prefix, paid at the separator
  EXPECT_EQ(ScoreText(**open, "the th"), -3.0);   // ... or at the end
  EXPECT_EQ(ScoreText(**open, "thekkkk"), -3.0);  // once per word, however long
  std::unique_ptr<LexiconScorer> closed = MakeLexicon({"the", "cat"});
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(ScoreText(*closed, "the kat"), kNegInf);  // the default: +inf
  // With the LM: the unknown word is the LM scorer's <unk>, plus the penalty.
  std::shared_ptr<const ArpaLm> lm = TinyLm();
  ASSERT_NE(lm, nullptr);
  auto word_lm =
      WordLmScorer::Create({.lm_weight = 0.5, .word_insertion_bonus = 0.25}, lm, kSymbols);
  ASSERT_TRUE(word_lm.ok());
  absl::StatusOr<std::unique_ptr<LexiconScorer>> open_lm =
      LexiconScorer::Create(LexiconScorer::LmWords(*lm), kSymbols, " ", word_lm->get(), 3.0);
  ASSERT_TRUE(open_lm.ok()) << open_lm.status();
  EXPECT_DOUBLE_EQ(ScoreText(**open_lm, "the cat"), ScoreText(**word_lm, "the cat"));
  EXPECT_DOUBLE_EQ(ScoreText(**open_lm, "the kat cat"), ScoreText(**word_lm, "the kat cat") - 3.0);
  // Penalty 0: exactly the LM scorer on any text.
  absl::StatusOr<std::unique_ptr<LexiconScorer>> free_lm =
      LexiconScorer::Create(LexiconScorer::LmWords(*lm), kSymbols, " ", word_lm->get(), 0.0);
  ASSERT_TRUE(free_lm.ok());
  for (const char* text : {"the kat", "hack the cat", "tt", "", "the th"}) {
    EXPECT_DOUBLE_EQ(ScoreText(**free_lm, text), ScoreText(**word_lm, text)) << text;
  }
  for (double bad : {-1.0, std::nan("")}) {
    absl::StatusOr<std::unique_ptr<LexiconScorer>> s =
        LexiconScorer::Create({"the"}, kSymbols, " ", nullptr, bad);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("oov_penalty"));
  }
}

// Alphabet {a, b}: every string of 1..max_len letters.
std::vector<std::string> AllWords(int max_len) {
  std::vector<std::string> words = {""};
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (static_cast<int>(words[i].size()) == max_len) continue;
    words.push_back(words[i] + "a");
    words.push_back(words[i] + "b");
  }
  return words;
}

TEST(LexiconScorerTest, EveryWordAllowedEqualsUnconstrainedDecoding) {
  const std::vector<std::string> symbols = {"", " ", "a", "b"};
  constexpr int kFrames = 8;
  const std::string arpa =
      "\\data\\\nngram 1=7\nngram 2=3\n\n\\1-grams:\n-1.5 <unk> -0.2\n-99 <s> -0.4\n"
      "-0.8 </s>\n-0.7 a -0.3\n-0.9 b -0.1\n-1.1 ab -0.2\n-1.3 ba\n\n\\2-grams:\n"
      "-0.2 <s> ab\n-0.3 a b\n-0.4 ab </s>\n\n\\end\\\n";
  absl::StatusOr<std::unique_ptr<ArpaLm>> parsed = ArpaLm::Parse(arpa);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  auto word_lm = WordLmScorer::Create({.lm_weight = 0.7, .word_insertion_bonus = 0.3},
                                      std::shared_ptr<const ArpaLm>(std::move(*parsed)), symbols);
  ASSERT_TRUE(word_lm.ok());
  std::unique_ptr<LexiconScorer> lex = MakeLexicon(AllWords(kFrames), nullptr, symbols);
  std::unique_ptr<LexiconScorer> lex_lm = MakeLexicon(AllWords(kFrames), word_lm->get(), symbols);
  ASSERT_NE(lex, nullptr);
  ASSERT_NE(lex_lm, nullptr);
  std::mt19937 rng(3);
  std::normal_distribution<double> normal(0.0, 2.0);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> lp;
    for (int t = 0; t < kFrames; ++t) {
      std::vector<double> row(symbols.size());
      double sum = 0.0;
      for (double& v : row) sum += std::exp(v = normal(rng));
      for (double v : row) lp.push_back(static_cast<float>(v - std::log(sum)));
    }
    const std::pair<const CtcScorer*, const CtcScorer*> pairs[] = {{nullptr, lex.get()},
                                                                   {word_lm->get(), lex_lm.get()}};
    for (const auto& [free, constrained] : pairs) {
      const std::vector<CtcHypothesis> a = Decode(free, lp, 4, 8, 4);
      const std::vector<CtcHypothesis> b = Decode(constrained, lp, 4, 8, 4);
      ASSERT_EQ(a.size(), b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].symbols, b[i].symbols) << trial;
        EXPECT_EQ(a[i].score, b[i].score) << trial;
      }
    }
  }
}

TEST(LexiconScorerTest, ReadsWordLists) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("lexicon." + std::to_string(::getpid()) + ".txt"))
          .string();
  std::ofstream(path) << "the\r\n\n  cat  \ncat\tk ae t\n\n";
  absl::StatusOr<std::vector<std::string>> words = LexiconScorer::ReadWordList(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(words.ok()) << words.status();
  EXPECT_THAT(*words, ElementsAre("the", "cat", "cat"));
  std::unique_ptr<LexiconScorer> lex = MakeLexicon(*words);
  ASSERT_NE(lex, nullptr);
  EXPECT_EQ(lex->num_words(), 2);
  EXPECT_EQ(LexiconScorer::ReadWordList("/no/such/list").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(LexiconScorerTest, CreateErrors) {
  EXPECT_THAT(LexiconScorer::Create({}, kSymbols).status().message(), HasSubstr("no usable word"));
  EXPECT_THAT(LexiconScorer::Create({"", "a b"}, kSymbols).status().message(),
              HasSubstr("no usable word"));
  EXPECT_THAT(LexiconScorer::Create({"a"}, {"", "a"}).status().message(),
              HasSubstr("no symbol is the word separator"));
  EXPECT_THAT(LexiconScorer::Create({"a"}, {"", " ", " "}).status().message(),
              HasSubstr("both are the word separator"));
  auto word_lm = WordLmScorer::Create({.word_separator = "|"}, TinyLm(), {"", "|", "a"});
  ASSERT_TRUE(word_lm.ok());
  EXPECT_THAT(LexiconScorer::Create({"a"}, kSymbols, " ", word_lm->get()).status().message(),
              HasSubstr("word separator '|'"));
}

TEST(LexiconScorerTest, SharedAcrossThreads) {
  std::unique_ptr<LexiconScorer> lex = MakeLexicon({"the", "cat"});
  ASSERT_NE(lex, nullptr);
  const std::vector<float> lp = TheCatPosteriors();
  const std::vector<CtcHypothesis> expected = Decode(lex.get(), lp, kVocab);
  std::vector<std::vector<CtcHypothesis>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = Decode(lex.get(), lp, kVocab); });
  for (std::thread& t : threads) t.join();
  for (const auto& r : results) {
    ASSERT_EQ(r.size(), expected.size());
    EXPECT_EQ(r[0].symbols, expected[0].symbols);
  }
}

}  // namespace
}  // namespace auris::nn
