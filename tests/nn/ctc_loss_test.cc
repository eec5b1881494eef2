#include "nn/ctc_loss.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<float> Log(const std::vector<float>& probs) {
  std::vector<float> out;
  for (float p : probs) out.push_back(std::log(p));
  return out;
}

TEST(CtcLossTest, TwoFrameToyExample) {
  auto loss = CtcLoss::Create({});
  ASSERT_TRUE(loss.ok());
  const std::vector<float> lp = Log({0.6f, 0.4f, 0.6f, 0.4f});
  EXPECT_NEAR(*(*loss)->NegLogLikelihood(lp, 2, 2, {}), -std::log(0.36), 1e-6);
  const std::vector<int32_t> d = {1};
  EXPECT_NEAR(*(*loss)->NegLogLikelihood(lp, 2, 2, d), -std::log(0.64), 1e-6);
  const std::vector<int32_t> dd = {1, 1};
  EXPECT_EQ(*(*loss)->NegLogLikelihood(lp, 2, 2, dd), kInf);
}

TEST(CtcLossTest, RepeatNeedsBlankBetween) {
  auto loss = CtcLoss::Create({});
  const std::vector<float> lp = Log({0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
  const std::vector<int32_t> aa = {1, 1};
  // Only "a _ a" collapses to "aa" in three frames.
  EXPECT_NEAR(*(*loss)->NegLogLikelihood(lp, 3, 2, aa), -std::log(0.125), 1e-6);
}

TEST(CtcLossTest, RejectsBadInput) {
  auto loss = CtcLoss::Create({});
  const std::vector<float> lp(6, std::log(0.5f));
  const std::vector<int32_t> with_blank = {1, 0};
  absl::StatusOr<double> r = (*loss)->NegLogLikelihood(lp, 3, 2, with_blank);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("blank"));
  const std::vector<int32_t> out_of_range = {2};
  r = (*loss)->NegLogLikelihood(lp, 3, 2, out_of_range);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("allowed: [0, 1]"));
  r = (*loss)->NegLogLikelihood(lp, 4, 2, {});
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("needs 8"));
  auto bad_blank = CtcLoss::Create({.blank = 2});
  ASSERT_TRUE(bad_blank.ok());
  r = (*bad_blank)->NegLogLikelihood(lp, 3, 2, {});
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("out of range"));
  EXPECT_FALSE(CtcLoss::Create({.blank = -1}).ok());
  EXPECT_EQ(CtcLossConfig{}.ToString(), "CtcLossConfig(blank=0)");
}

struct GoldenCase {
  int t = 0, v = 0, blank = 0;
  std::vector<int32_t> labels;
  std::vector<float> log_probs;
  double nll = 0.0;
  std::vector<double> posteriors;
};

std::vector<GoldenCase> ReadGolden() {
  std::ifstream in(std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/ctc_loss_torch.txt");
  int n = 0;
  in >> n;
  std::vector<GoldenCase> cases(n);
  for (GoldenCase& c : cases) {
    int num_labels = 0;
    in >> c.t >> c.v >> c.blank >> num_labels;
    c.labels.resize(num_labels);
    for (int32_t& l : c.labels) in >> l;
    c.log_probs.resize(static_cast<std::size_t>(c.t) * c.v);
    for (float& x : c.log_probs) in >> x;
    std::string nll;
    in >> nll;
    if (nll == "inf") {
      c.nll = kInf;
      continue;
    }
    c.nll = std::stod(nll);
    c.posteriors.resize(c.log_probs.size());
    for (double& p : c.posteriors) in >> p;
  }
  return cases;
}

TEST(CtcLossTest, MatchesTorchCtcLoss) {
  const std::vector<GoldenCase> cases = ReadGolden();
  ASSERT_EQ(cases.size(), 9u);
  double max_relative = 0.0, max_posterior = 0.0;
  for (const GoldenCase& c : cases) {
    SCOPED_TRACE(testing::Message() << "T=" << c.t << " V=" << c.v << " L=" << c.labels.size());
    auto loss = CtcLoss::Create({.blank = c.blank});
    ASSERT_TRUE(loss.ok());
    absl::StatusOr<CtcOccupancy> occ = (*loss)->Occupancy(c.log_probs, c.t, c.v, c.labels);
    ASSERT_TRUE(occ.ok()) << occ.status();
    absl::StatusOr<double> nll = (*loss)->NegLogLikelihood(c.log_probs, c.t, c.v, c.labels);
    ASSERT_TRUE(nll.ok());
    EXPECT_EQ(*nll, occ->neg_log_likelihood);
    if (c.nll == kInf) {
      EXPECT_EQ(*nll, kInf);
      continue;
    }
    EXPECT_LE(std::abs(*nll - c.nll), 1e-4 * std::abs(c.nll) + 1e-9);
    max_relative =
        std::max(max_relative, std::abs(*nll - c.nll) / std::max(std::abs(c.nll), 1e-12));
    ASSERT_EQ(occ->posteriors.size(), c.posteriors.size());
    for (std::size_t i = 0; i < c.posteriors.size(); ++i) {
      EXPECT_NEAR(occ->posteriors[i], c.posteriors[i], 1e-6) << "index " << i;
      max_posterior = std::max(max_posterior, std::abs(occ->posteriors[i] - c.posteriors[i]));
    }
  }
  RecordProperty("max_relative_loss_error", testing::PrintToString(max_relative));
  RecordProperty("max_posterior_abs_error", testing::PrintToString(max_posterior));
}

}  // namespace
}  // namespace auris::nn
