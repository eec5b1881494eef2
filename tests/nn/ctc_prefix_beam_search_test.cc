#include "nn/ctc_prefix_beam_search.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace auris::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<float> RandomLogProbs(int t, int v, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.5f);
  std::vector<float> out(static_cast<std::size_t>(t) * v);
  for (int i = 0; i < t; ++i) {
    float* row = out.data() + static_cast<std::size_t>(i) * v;
    double sum = 0.0;
    for (int j = 0; j < v; ++j) {
      row[j] = normal(rng);
      sum += std::exp(row[j]);
    }
    for (int j = 0; j < v; ++j) row[j] -= static_cast<float>(std::log(sum));
  }
  return out;
}

// Sums the probability of all V^T frame paths per collapsed label sequence.
std::map<std::vector<int32_t>, double> Enumerate(const std::vector<float>& lp, int t, int v) {
  std::map<std::vector<int32_t>, double> totals;
  std::vector<int> path(t, 0);
  while (true) {
    double log_p = 0.0;
    std::vector<int32_t> labels;
    for (int i = 0; i < t; ++i) {
      log_p += lp[static_cast<std::size_t>(i) * v + path[i]];
      if (path[i] != 0 && (i == 0 || path[i] != path[i - 1])) labels.push_back(path[i]);
    }
    totals[labels] += std::exp(log_p);
    int i = 0;
    while (i < t && ++path[i] == v) path[i++] = 0;
    if (i == t) break;
  }
  return totals;
}

TEST(CtcPrefixBeamSearchTest, ToyExampleBeatsBestPath) {
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 4, .nbest = 2});
  ASSERT_TRUE(decoder.ok());
  const std::vector<float> lp = {std::log(0.6f), std::log(0.4f), std::log(0.6f), std::log(0.4f)};
  absl::StatusOr<std::vector<CtcHypothesis>> nbest = (*decoder)->Decode(lp, 2, 2);
  ASSERT_TRUE(nbest.ok()) << nbest.status();
  ASSERT_EQ(nbest->size(), 2u);
  EXPECT_THAT((*nbest)[0].symbols, ElementsAre(1));
  EXPECT_NEAR((*nbest)[0].log_prob, std::log(0.64), 1e-6);
  EXPECT_THAT((*nbest)[1].symbols, IsEmpty());
  EXPECT_NEAR((*nbest)[1].log_prob, std::log(0.36), 1e-6);
}

// The toy example with a score threshold. After frame 1: [] 0.6, [1] 0.4 (ln 1.5 = 0.405
// nats apart); after frame 2 from both: [1] 0.64, [] 0.36 (ln(16/9) = 0.575 apart).
TEST(CtcPrefixBeamSearchTest, BeamThresholdDropsHypothesesFarBelowTheBest) {
  const std::vector<float> lp = {std::log(0.6f), std::log(0.4f), std::log(0.6f), std::log(0.4f)};
  const auto decode = [&](double threshold) {
    auto decoder =
        CtcPrefixBeamSearch::Create({.beam_size = 4, .nbest = 2, .beam_threshold = threshold});
    EXPECT_TRUE(decoder.ok()) << decoder.status();
    absl::StatusOr<std::vector<CtcHypothesis>> r = (*decoder)->Decode(lp, 2, 2);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  };
  std::vector<CtcHypothesis> r = decode(0.6);  // both survive both frames
  ASSERT_EQ(r.size(), 2u);
  EXPECT_NEAR(r[0].log_prob, std::log(0.64), 1e-6);
  r = decode(0.5);  // both survive frame 1; [] is dropped after frame 2
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(r[0].symbols, ElementsAre(1));
  EXPECT_NEAR(r[0].log_prob, std::log(0.64), 1e-6);
  r = decode(0.3);  // [1] is dropped after frame 1, so [] (0.36) beats the late [1] (0.24)
  ASSERT_EQ(r.size(), 1u);
  EXPECT_THAT(r[0].symbols, IsEmpty());
  EXPECT_NEAR(r[0].log_prob, std::log(0.36), 1e-6);
}

TEST(CtcPrefixBeamSearchTest, RepeatNeedsBlankBetween) {
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 8, .nbest = 1});
  // Frames: a, a, blank, a (V = 2) -> "aa"; without the blank frame -> "a".
  const float hi = std::log(0.9f), lo = std::log(0.1f);
  const std::vector<float> with_blank = {lo, hi, lo, hi, hi, lo, lo, hi};
  absl::StatusOr<std::vector<CtcHypothesis>> r = (*decoder)->Decode(with_blank, 4, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT((*r)[0].symbols, ElementsAre(1, 1));
  EXPECT_THAT((*r)[0].frames, ElementsAre(0, 3));
  const std::vector<float> no_blank = {lo, hi, lo, hi, lo, hi};
  r = (*decoder)->Decode(no_blank, 3, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT((*r)[0].symbols, ElementsAre(1));
}

TEST(CtcPrefixBeamSearchTest, AllBlankAndSingleFrame) {
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 8, .nbest = 3});
  std::vector<float> all_blank;
  for (int t = 0; t < 5; ++t) {
    all_blank.insert(all_blank.end(), {0.0f, -INFINITY, -INFINITY});
  }
  absl::StatusOr<std::vector<CtcHypothesis>> r = (*decoder)->Decode(all_blank, 5, 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_THAT((*r)[0].symbols, IsEmpty());
  EXPECT_NEAR((*r)[0].log_prob, 0.0, 1e-9);

  const std::vector<float> one = {std::log(0.2f), std::log(0.5f), std::log(0.3f)};
  r = (*decoder)->Decode(one, 1, 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_THAT((*r)[0].symbols, ElementsAre(1));
  EXPECT_THAT((*r)[1].symbols, ElementsAre(2));
  EXPECT_THAT((*r)[2].symbols, IsEmpty());
  EXPECT_NEAR((*r)[2].log_prob, std::log(0.2), 1e-6);

  r = (*decoder)->Decode({}, 0, 3);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_THAT((*r)[0].symbols, IsEmpty());
}

TEST(CtcPrefixBeamSearchTest, WideBeamEqualsExhaustiveEnumeration) {
  for (auto [t, v] : {std::pair{4, 3}, std::pair{5, 4}, std::pair{6, 3}, std::pair{3, 5}}) {
    SCOPED_TRACE(testing::Message() << "T=" << t << " V=" << v);
    const std::vector<float> lp = RandomLogProbs(t, v, 100 * t + v);
    std::vector<std::pair<double, std::vector<int32_t>>> exact;
    for (const auto& [labels, p] : Enumerate(lp, t, v)) exact.push_back({p, labels});
    std::sort(exact.rbegin(), exact.rend());
    const int n = std::min<int>(10, static_cast<int>(exact.size()));
    auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 4096, .nbest = n});
    absl::StatusOr<std::vector<CtcHypothesis>> r = (*decoder)->Decode(lp, t, v);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(static_cast<int>(r->size()), n);
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ((*r)[i].symbols, exact[i].second) << "rank " << i;
      EXPECT_NEAR((*r)[i].log_prob, std::log(exact[i].first), 1e-5) << "rank " << i;
    }
  }
}

TEST(CtcPrefixBeamSearchTest, PruningKeepsTheBestHypothesis) {
  const std::vector<float> lp = RandomLogProbs(30, 8, 7);
  auto wide = CtcPrefixBeamSearch::Create({.beam_size = 64});
  auto pruned = CtcPrefixBeamSearch::Create(
      {.beam_size = 16, .top_k = 4, .min_symbol_log_prob = std::log(1e-3f)});
  ASSERT_TRUE(pruned.ok());
  absl::StatusOr<std::vector<CtcHypothesis>> a = (*wide)->Decode(lp, 30, 8);
  absl::StatusOr<std::vector<CtcHypothesis>> b = (*pruned)->Decode(lp, 30, 8);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ((*a)[0].symbols, (*b)[0].symbols);
  EXPECT_LE((*b)[0].log_prob, (*a)[0].log_prob + 1e-9);
}

TEST(CtcPrefixBeamSearchTest, ChunkedStreamingEqualsWholeMatrix) {
  constexpr int kT = 60, kV = 6;
  const std::vector<float> lp = RandomLogProbs(kT, kV, 11);
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 8, .nbest = 4, .top_k = 5});
  absl::StatusOr<std::vector<CtcHypothesis>> whole = (*decoder)->Decode(lp, kT, kV);
  ASSERT_TRUE(whole.ok());
  for (int chunk : {1, 7, 16}) {
    std::unique_ptr<CtcBeamStream> stream = (*decoder)->CreateStream();
    for (int t = 0; t < kT; t += chunk) {
      const int n = std::min(chunk, kT - t);
      ASSERT_TRUE(
          (*decoder)
              ->Advance(std::span<const float>(lp).subspan(t * kV, n * kV), n, kV, stream.get())
              .ok());
    }
    EXPECT_EQ(stream->frames_decoded(), kT);
    const std::vector<CtcHypothesis> chunked = (*decoder)->NBest(*stream);
    ASSERT_EQ(chunked.size(), whole->size());
    for (std::size_t i = 0; i < chunked.size(); ++i) {
      EXPECT_EQ(chunked[i].symbols, (*whole)[i].symbols);
      EXPECT_EQ(chunked[i].frames, (*whole)[i].frames);
      EXPECT_EQ(chunked[i].log_prob, (*whole)[i].log_prob);
    }
  }
}

TEST(CtcPrefixBeamSearchTest, SharedDecoderServesThreadsWithOwnStreams) {
  constexpr int kT = 80, kV = 7;
  const std::vector<float> lp = RandomLogProbs(kT, kV, 3);
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 8, .nbest = 2});
  absl::StatusOr<std::vector<CtcHypothesis>> expected = (*decoder)->Decode(lp, kT, kV);
  ASSERT_TRUE(expected.ok());
  std::vector<std::vector<CtcHypothesis>> results(4);
  std::vector<std::thread> threads;
  for (auto& result : results) {
    threads.emplace_back([&decoder, &lp, &result] {
      for (int repeat = 0; repeat < 20; ++repeat) result = *(*decoder)->Decode(lp, kT, kV);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& result : results) {
    ASSERT_EQ(result.size(), expected->size());
    for (std::size_t i = 0; i < result.size(); ++i) {
      EXPECT_EQ(result[i].symbols, (*expected)[i].symbols);
      EXPECT_EQ(result[i].log_prob, (*expected)[i].log_prob);
    }
  }
}

// Forbids symbol 1 after symbol 1 was emitted once and charges -1 per symbol.
class OneOnceScorer : public CtcScorer {
 public:
  uint64_t StartState() const override { return 0; }
  double Score(uint64_t state, int32_t symbol, uint64_t* next_state) const override {
    *next_state = state | (symbol == 1 ? 1u : 0u);
    return (symbol == 1 && state == 1) ? -INFINITY : -1.0;
  }
  double FinalScore(uint64_t state) const override { return state == 1 ? 0.5 : 0.0; }
};

TEST(CtcPrefixBeamSearchTest, ScorerHookShapesTheSearch) {
  const OneOnceScorer scorer;
  auto decoder = CtcPrefixBeamSearch::Create({.beam_size = 8, .nbest = 1}, &scorer);
  const float hi = std::log(0.9f), lo = std::log(0.1f);
  const std::vector<float> aa = {lo, hi, hi, lo, lo, hi};  // "a _ a" acoustically
  absl::StatusOr<std::vector<CtcHypothesis>> r = (*decoder)->Decode(aa, 3, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT((*r)[0].symbols, ElementsAre(1));
  EXPECT_NEAR((*r)[0].score, (*r)[0].log_prob - 1.0 + 0.5, 1e-9);
}

TEST(CtcPrefixBeamSearchTest, RejectsBadConfigAndInput) {
  EXPECT_THAT(std::string(CtcPrefixBeamSearch::Create({.beam_size = 0}).status().message()),
              HasSubstr("beam_size is 0"));
  EXPECT_THAT(
      std::string(CtcPrefixBeamSearch::Create({.beam_size = 2, .nbest = 3}).status().message()),
      HasSubstr("allowed: [1, beam_size = 2]"));
  EXPECT_FALSE(CtcPrefixBeamSearch::Create({.top_k = -1}).ok());
  EXPECT_FALSE(CtcPrefixBeamSearch::Create({.min_symbol_log_prob = 0.5f}).ok());
  for (double bad : {0.0, -1.0, std::nan("")}) {
    absl::StatusOr<std::unique_ptr<CtcPrefixBeamSearch>> d =
        CtcPrefixBeamSearch::Create({.beam_threshold = bad});
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr("beam_threshold"));
  }
  auto decoder = CtcPrefixBeamSearch::Create({.blank = 2});
  const std::vector<float> lp(4, std::log(0.5f));
  EXPECT_THAT(std::string((*decoder)->Decode(lp, 2, 2).status().message()),
              HasSubstr("blank index 2 is out of range"));
  auto ok = CtcPrefixBeamSearch::Create({});
  std::unique_ptr<CtcBeamStream> stream = (*ok)->CreateStream();
  ASSERT_TRUE((*ok)->Advance(lp, 2, 2, stream.get()).ok());
  EXPECT_THAT(std::string((*ok)->Advance(lp, 1, 4, stream.get()).message()),
              HasSubstr("earlier chunks"));
  EXPECT_THAT(CtcPrefixBeamSearchConfig{}.ToString(), HasSubstr("beam_size=16"));
}

}  // namespace
}  // namespace auris::nn
