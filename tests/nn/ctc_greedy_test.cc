#include "nn/ctc_greedy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace auris::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One-hot-ish rows: frame t puts 0.7 on symbols[t] and spreads the rest over V = 4.
std::vector<float> Spikes(const std::vector<int>& symbols) {
  std::vector<float> out;
  for (int s : symbols) {
    for (int v = 0; v < 4; ++v) out.push_back(std::log(v == s ? 0.7f : 0.1f));
  }
  return out;
}

TEST(CtcGreedyTest, CollapsesRepeatsAndDropsBlanks) {
  auto decoder = CtcGreedyDecoder::Create({});
  ASSERT_TRUE(decoder.ok());
  const std::vector<float> lp = Spikes({0, 1, 1, 0, 1, 2, 2, 3, 0});
  absl::StatusOr<CtcGreedyResult> r = (*decoder)->Decode(lp, 9, 4);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(r->symbols, ElementsAre(1, 1, 2, 3));
  EXPECT_THAT(r->frames, ElementsAre(1, 4, 5, 7));
  EXPECT_NEAR(r->log_prob, 9 * std::log(0.7), 1e-5);
}

TEST(CtcGreedyTest, ToyExampleBestPathIsEmpty) {
  auto decoder = CtcGreedyDecoder::Create({});
  const std::vector<float> lp = {std::log(0.6f), std::log(0.4f), std::log(0.6f), std::log(0.4f)};
  absl::StatusOr<CtcGreedyResult> r = (*decoder)->Decode(lp, 2, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->symbols, IsEmpty());
  EXPECT_NEAR(r->log_prob, std::log(0.36), 1e-6);
}

TEST(CtcGreedyTest, ConfigurableBlankAndEmptyInput) {
  auto decoder = CtcGreedyDecoder::Create({.blank = 3});
  const std::vector<float> lp = Spikes({0, 3, 0, 0, 3});
  absl::StatusOr<CtcGreedyResult> r = (*decoder)->Decode(lp, 5, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->symbols, ElementsAre(0, 0));
  EXPECT_THAT(r->frames, ElementsAre(0, 2));
  absl::StatusOr<CtcGreedyResult> empty = (*decoder)->Decode({}, 0, 4);
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->symbols, IsEmpty());
}

TEST(CtcGreedyTest, RejectsBadInput) {
  auto decoder = CtcGreedyDecoder::Create({.blank = 4});
  const std::vector<float> lp = Spikes({0, 1});
  absl::StatusOr<CtcGreedyResult> r = (*decoder)->Decode(lp, 2, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("blank index 4 is out of range"));
  auto ok_decoder = CtcGreedyDecoder::Create({});
  r = (*ok_decoder)->Decode(lp, 3, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("needs 12"));
  EXPECT_FALSE(CtcGreedyDecoder::Create({.blank = -2}).ok());
  EXPECT_EQ(CtcGreedyConfig{}.ToString(), "CtcGreedyConfig(blank=0)");
}

}  // namespace
}  // namespace auris::nn
