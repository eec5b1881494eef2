// Beam-search pruning set by the model file (decoder.symbol_min_log_prob, decoder.beam_threshold)
// through the ASR pipeline on the tiny golden model: the values reach the decoder (a floor that
// admits only each frame's best symbol decodes as greedy search; a tiny threshold leaves one
// hypothesis, so one alternative), leaving them out prunes nothing, and bad values are load
// errors that say what is allowed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

absl::StatusOr<std::unique_ptr<AsrPipeline>> Load(const Json& decoder, const std::string& name) {
  ModelInfo info;
  info.name = "asr-tiny";
  info.task = kTaskAsr;
  return AsrPipeline::Load(info, testing::WriteTinyAsrWithDecoder(decoder, name), "");
}

struct Decoded {
  std::string transcript;       // best alternatives of every final, joined by spaces
  size_t max_alternatives = 0;  // the most alternatives any final had
};

Decoded Decode(const AsrPipeline& p, int beam_size = 0,
               std::optional<double> beam_threshold = std::nullopt) {
  AsrStreamOptions options;
  options.max_alternatives = 4;
  options.beam_size = beam_size;
  options.beam_threshold = beam_threshold;
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(options);
  EXPECT_TRUE(s.ok()) << s.status();
  Decoded out;
  if (!s.ok()) return out;
  std::vector<AsrEvent> events;
  EXPECT_TRUE((*s)->Accept(testing::AsrGoldenWaveform(), &events).ok());
  EXPECT_TRUE((*s)->Flush(&events).ok());
  for (const AsrEvent& e : events) {
    if (e.type != AsrEvent::Type::kFinal || e.result.alternatives.empty()) continue;
    out.max_alternatives = std::max(out.max_alternatives, e.result.alternatives.size());
    const std::string& t = e.result.alternatives[0].transcript;
    if (!t.empty()) out.transcript += (out.transcript.empty() ? "" : " ") + t;
  }
  return out;
}

TEST(AsrPruningTest, LeftOutPrunesNothing) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p = Load({{"beam", 8}}, "asr_prune_none");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ((*p)->defaults().symbol_min_log_prob, -std::numeric_limits<float>::infinity());
  EXPECT_EQ((*p)->defaults().beam_threshold, std::numeric_limits<double>::infinity());
  // The random-weight model leaves several hypotheses in the beam.
  EXPECT_GT(Decode(**p).max_alternatives, 1u);
}

TEST(AsrPruningTest, SymbolFloorAboveAllButTheBestDecodesAsGreedy) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> floor =
      Load({{"beam", 8}, {"symbol_min_log_prob", -1e-7}}, "asr_prune_floor");
  ASSERT_TRUE(floor.ok()) << floor.status();
  EXPECT_FLOAT_EQ((*floor)->defaults().symbol_min_log_prob, -1e-7f);
  absl::StatusOr<std::unique_ptr<AsrPipeline>> plain = Load({{"beam", 8}}, "asr_prune_plain");
  ASSERT_TRUE(plain.ok()) << plain.status();
  const std::string greedy = Decode(**plain, /*beam_size=*/1).transcript;
  ASSERT_FALSE(greedy.empty());
  EXPECT_EQ(Decode(**floor).transcript, greedy);
  EXPECT_EQ(Decode(**floor).max_alternatives, 1u);
  EXPECT_NE(Decode(**plain).transcript, greedy);  // so the floor is what made it greedy
}

TEST(AsrPruningTest, TinyBeamThresholdLeavesOneHypothesis) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      Load({{"beam", 8}, {"beam_threshold", 1e-9}}, "asr_prune_threshold");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_DOUBLE_EQ((*p)->defaults().beam_threshold, 1e-9);
  const Decoded d = Decode(**p);
  EXPECT_FALSE(d.transcript.empty());
  EXPECT_EQ(d.max_alternatives, 1u);
  // A wide threshold keeps what no threshold keeps.
  absl::StatusOr<std::unique_ptr<AsrPipeline>> wide =
      Load({{"beam", 8}, {"beam_threshold", 1e6}}, "asr_prune_wide");
  absl::StatusOr<std::unique_ptr<AsrPipeline>> plain = Load({{"beam", 8}}, "asr_prune_plain2");
  ASSERT_TRUE(wide.ok() && plain.ok());
  EXPECT_EQ(Decode(**wide).transcript, Decode(**plain).transcript);
  EXPECT_EQ(Decode(**wide).max_alternatives, Decode(**plain).max_alternatives);
}

TEST(AsrPruningTest, StreamOptionsOverrideTheModel) {
  absl::StatusOr<std::unique_ptr<AsrPipeline>> plain = Load({{"beam", 8}}, "asr_prune_opt");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(Decode(**plain, 0, 1e-9).max_alternatives, 1u);
  absl::StatusOr<std::unique_ptr<AsrPipeline>> tight =
      Load({{"beam", 8}, {"beam_threshold", 1e-9}}, "asr_prune_opt_tight");
  ASSERT_TRUE(tight.ok()) << tight.status();
  EXPECT_EQ(Decode(**tight, 0, 1e6).max_alternatives, Decode(**plain).max_alternatives);
  for (double bad : {0.0, -1.0, std::nan("")}) {
    AsrStreamOptions options;
    options.beam_threshold = bad;
    absl::StatusOr<std::unique_ptr<AsrStream>> s = (*plain)->CreateStream(options);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_THAT(std::string(s.status().message()), HasSubstr("beam_threshold"));
  }
  AsrStreamOptions options;
  options.symbol_min_log_prob = 0.1;
  absl::StatusOr<std::unique_ptr<AsrStream>> s = (*plain)->CreateStream(options);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("symbol_min_log_prob"));
}

TEST(AsrPruningTest, BadValuesAreLoadErrors) {
  int k = 0;
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, Json>>{{"symbol_min_log_prob", 0.5},
                                                 {"symbol_min_log_prob", "-9"},
                                                 {"beam_threshold", 0.0},
                                                 {"beam_threshold", -3.0},
                                                 {"beam_threshold", Json::array({12})}}) {
    absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
        Load({{"beam", 8}, {key, value}}, "asr_prune_bad" + std::to_string(k++));
    ASSERT_FALSE(p.ok()) << key << " " << value.dump();
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("decoder." + key));
    EXPECT_THAT(std::string(p.status().message()), HasSubstr("allowed"));
  }
}

}  // namespace
}  // namespace auris::models
