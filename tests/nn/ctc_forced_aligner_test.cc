#include "nn/ctc_forced_aligner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace auris::nn {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Rows of probabilities over V = 3 (blank, a, b), turned into log-probabilities.
std::vector<float> LogRows(const std::vector<std::vector<float>>& rows) {
  std::vector<float> out;
  for (const auto& row : rows) {
    for (float p : row) out.push_back(std::log(p));
  }
  return out;
}

TEST(CtcForcedAlignerTest, FollowsSpikes) {
  auto aligner = CtcForcedAligner::Create({});
  ASSERT_TRUE(aligner.ok());
  const std::vector<float> lp = LogRows({{0.8f, 0.1f, 0.1f},
                                         {0.1f, 0.8f, 0.1f},
                                         {0.2f, 0.7f, 0.1f},
                                         {0.8f, 0.1f, 0.1f},
                                         {0.1f, 0.1f, 0.8f},
                                         {0.8f, 0.1f, 0.1f}});
  const std::vector<int32_t> ab = {1, 2};
  absl::StatusOr<CtcAlignment> a = (*aligner)->Align(lp, 6, 3, ab);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_THAT(a->frame_symbols, ElementsAre(0, 1, 1, 0, 2, 0));
  EXPECT_THAT(a->start_frames, ElementsAre(1, 4));
  EXPECT_THAT(a->end_frames, ElementsAre(2, 4));
  EXPECT_NEAR(a->log_prob, std::log(0.8 * 0.8 * 0.7 * 0.8 * 0.8 * 0.8), 1e-5);
}

TEST(CtcForcedAlignerTest, RepeatsGetABlankBetweenAndTightLengthWorks) {
  auto aligner = CtcForcedAligner::Create({});
  const std::vector<float> lp =
      LogRows({{0.1f, 0.8f, 0.1f}, {0.4f, 0.5f, 0.1f}, {0.1f, 0.8f, 0.1f}});
  const std::vector<int32_t> aa = {1, 1};
  absl::StatusOr<CtcAlignment> a = (*aligner)->Align(lp, 3, 3, aa);
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(a->frame_symbols, ElementsAre(1, 0, 1));
  EXPECT_THAT(a->start_frames, ElementsAre(0, 2));
}

TEST(CtcForcedAlignerTest, TooFewFramesSaysHowManyAreNeeded) {
  auto aligner = CtcForcedAligner::Create({});
  const std::vector<float> lp = LogRows({{0.5f, 0.25f, 0.25f}, {0.5f, 0.25f, 0.25f}});
  const std::vector<int32_t> aa = {1, 1};
  absl::StatusOr<CtcAlignment> a = (*aligner)->Align(lp, 2, 3, aa);
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("needs >= 3 frames"));
  const std::vector<int32_t> none;
  absl::StatusOr<CtcAlignment> blank_only = (*aligner)->Align(lp, 2, 3, none);
  ASSERT_TRUE(blank_only.ok());
  EXPECT_THAT(blank_only->frame_symbols, ElementsAre(0, 0));
  EXPECT_NEAR(blank_only->log_prob, 2 * std::log(0.5), 1e-6);
}

}  // namespace
}  // namespace auris::nn
