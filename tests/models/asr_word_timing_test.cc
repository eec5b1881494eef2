// Word timings, confidences and endpointing on synthetic posteriorgrams with known spikes,
// fed straight to the decoder (AsrStream::AcceptLogProbs), 40 ms per frame.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "models/asr/word_alignment.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

constexpr int kVocab = 29;
constexpr int64_t kMs = 1'000'000;

int32_t Id(char c) { return c == ' ' ? 28 : c == '\'' ? 27 : c - 'a' + 1; }

// One frame: `c` with probability p ('_' = blank), the blank most of the rest.
void AddFrame(std::vector<float>* rows, char c, double p) {
  const int32_t id = c == '_' ? 0 : Id(c);
  std::vector<double> probs(kVocab, 0.0);
  if (id == 0) {
    probs[0] = p;
    for (int v = 1; v < kVocab; ++v) probs[v] = (1.0 - p) / (kVocab - 1);
  } else {
    probs[id] = p;
    probs[0] = (1.0 - p) * 0.9;
    for (int v = 1; v < kVocab; ++v) {
      if (v != id) probs[v] = (1.0 - p) * 0.1 / (kVocab - 2);
    }
  }
  for (double q : probs) rows->push_back(static_cast<float>(std::log(q)));
}

// "text" is one symbol per frame, '_' = blank (P 0.98); letters get P 0.9, upper-case 0.6.
std::vector<float> Posteriorgram(const std::string& text) {
  std::vector<float> rows;
  for (char c : text) {
    if (c == '_') {
      AddFrame(&rows, '_', 0.98);
    } else if (c >= 'A' && c <= 'Z') {
      AddFrame(&rows, static_cast<char>(c - 'A' + 'a'), 0.6);
    } else {
      AddFrame(&rows, c, 0.9);
    }
  }
  return rows;
}

std::vector<AsrEvent> Decode(const AsrPipeline& p, const AsrStreamOptions& options,
                             const std::string& text) {
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(options);
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<AsrEvent> events;
  const std::vector<float> rows = Posteriorgram(text);
  EXPECT_TRUE((*s)->AcceptLogProbs(rows, static_cast<int>(text.size()), &events).ok());
  EXPECT_TRUE((*s)->Flush(&events).ok());
  return events;
}

AsrStreamOptions NoLm(int beam) {
  AsrStreamOptions o;
  o.beam_size = beam;
  if (beam != 1) {
    o.lm_weight = 0.0;
    o.word_insertion_bonus = 0.0;
  }
  return o;
}

class AsrWordTimingTest : public ::testing::TestWithParam<int> {};

TEST_P(AsrWordTimingTest, WordsSitOnTheirSpikes) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  // 30 frames of silence (the first 20 = 800 ms are dropped as leading silence, so the
  // utterance starts at frame 20), then "ab" at frames 32-33,
  // a space at 35, "cc" at 37-38, silence to the end.
  const std::string text = std::string(30, '_') + "__ab_ _cc___";
  const std::vector<AsrEvent> events = Decode(*p, NoLm(GetParam()), text);
  const AsrEvent* final = nullptr;
  for (const AsrEvent& e : events) {
    if (e.type == AsrEvent::Type::kFinal) final = &e;
  }
  ASSERT_NE(final, nullptr);
  const AsrAlternative& best = final->result.alternatives.at(0);
  EXPECT_EQ(best.transcript, "ab c");
  ASSERT_EQ(best.words.size(), 2u);
  EXPECT_EQ(best.words[0].word, "ab");
  EXPECT_EQ(best.words[0].start_ns, 32 * 40 * kMs);
  EXPECT_EQ(best.words[0].end_ns, 34 * 40 * kMs);
  EXPECT_NEAR(best.words[0].confidence, 0.9, 1e-5);
  EXPECT_EQ(best.words[1].word, "c");
  EXPECT_EQ(best.words[1].start_ns, 37 * 40 * kMs);
  EXPECT_EQ(best.words[1].end_ns, 39 * 40 * kMs);
  EXPECT_NEAR(best.words[1].confidence, 0.9, 1e-5);
  EXPECT_EQ(final->result.start_ns, 20 * 40 * kMs);
  EXPECT_EQ(final->result.end_ns, static_cast<int64_t>(text.size()) * 40 * kMs);
  EXPECT_GT(best.confidence, 0.5f);
  EXPECT_LE(best.confidence, 1.0f);
}

TEST_P(AsrWordTimingTest, LowerPosteriorsGiveLowerConfidence) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::vector<AsrEvent> events = Decode(*p, NoLm(GetParam()), "__ab_ _CA__");
  ASSERT_EQ(events.back().type, AsrEvent::Type::kFinal);
  const AsrAlternative& best = events.back().result.alternatives.at(0);
  ASSERT_EQ(best.words.size(), 2u);
  EXPECT_EQ(best.words[1].word, "ca");
  EXPECT_NEAR(best.words[1].confidence, 0.6, 1e-5);
  EXPECT_LT(best.words[1].confidence, best.words[0].confidence);
}

INSTANTIATE_TEST_SUITE_P(GreedyAndBeam, AsrWordTimingTest, ::testing::Values(1, 8));

TEST(AsrEndpointingTest, TwoUtterancesSeparatedBySilence) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  // 25 blank frames = 1 s > the 800 ms default.
  const std::string text = "___ab_ _c" + std::string(25, '_') + "ba___";
  const std::vector<AsrEvent> events = Decode(*p, NoLm(8), text);
  using T = AsrEvent::Type;
  std::vector<T> types;
  for (const AsrEvent& e : events) types.push_back(e.type);
  EXPECT_EQ(types, (std::vector<T>{T::kSpeechBegin, T::kSpeechEnd, T::kFinal, T::kSpeechBegin,
                                   T::kSpeechEnd, T::kFinal}));
  EXPECT_EQ(events[0].offset_ns, 3 * 40 * kMs);
  EXPECT_EQ(events[1].offset_ns, 9 * 40 * kMs);
  EXPECT_EQ(events[2].result.alternatives[0].transcript, "ab c");
  EXPECT_EQ(events[2].result.start_ns, 0);
  EXPECT_EQ(events[2].result.end_ns, (9 + 20) * 40 * kMs);  // after 800 ms of silence
  EXPECT_EQ(events[3].offset_ns, 34 * 40 * kMs);
  EXPECT_EQ(events[5].result.alternatives[0].transcript, "ba");
  EXPECT_EQ(events[5].result.start_ns, 29 * 40 * kMs);
  EXPECT_EQ(events[5].result.alternatives[0].words[0].start_ns, 34 * 40 * kMs);
}

TEST(AsrEndpointingTest, ShorterSilenceKeepsOneUtteranceAndMaxLengthSplits) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::string text = "___ab" + std::string(10, '_') + "ba___";
  int finals = 0;
  for (const AsrEvent& e : Decode(*p, NoLm(8), text)) finals += e.type == AsrEvent::Type::kFinal;
  EXPECT_EQ(finals, 1);
  AsrStreamOptions o = NoLm(8);
  o.endpointing.min_trailing_silence_ms = 200;  // 5 frames
  finals = 0;
  for (const AsrEvent& e : Decode(*p, o, text)) finals += e.type == AsrEvent::Type::kFinal;
  EXPECT_EQ(finals, 2);
  o = NoLm(8);
  o.endpointing.max_utterance_ms = 1000;  // 25 frames
  std::string letters;
  for (int i = 0; i < 60; ++i) letters += (i % 2 == 0) ? 'a' : 'b';
  finals = 0;
  for (const AsrEvent& e : Decode(*p, o, letters)) finals += e.type == AsrEvent::Type::kFinal;
  EXPECT_EQ(finals, 3);
}

TEST(AsrContextTest, BoostAndRestrictThroughThePipeline) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  // "c" is as likely as "a" at frame 3; the phrase "ab" wins with a boost, "cb" without.
  std::vector<float> rows = Posteriorgram("__");
  std::vector<double> probs(kVocab, 1e-4);
  probs[Id('c')] = 0.5;
  probs[Id('a')] = 0.45;
  for (double q : probs) rows.push_back(static_cast<float>(std::log(q)));
  const std::vector<float> tail = Posteriorgram("b__");
  rows.insert(rows.end(), tail.begin(), tail.end());
  auto run = [&](const AsrStreamOptions& o) {
    auto s = p->CreateStream(o);
    EXPECT_TRUE(s.ok()) << s.status();
    std::vector<AsrEvent> events;
    EXPECT_TRUE((*s)->AcceptLogProbs(rows, 6, &events).ok());
    EXPECT_TRUE((*s)->Flush(&events).ok());
    return events.back().result.alternatives.at(0).transcript;
  };
  EXPECT_EQ(run(NoLm(8)), "cb");
  AsrStreamOptions o = NoLm(8);
  o.contexts.push_back({{"ab"}, 1.0, false});
  EXPECT_EQ(run(o), "ab");
  o = NoLm(8);
  o.contexts.push_back({{"ab", "b"}, 0.0, true});
  EXPECT_EQ(run(o), "ab");
  // Composed with the word LM (both spellings are <unk> to it, so the context decides).
  o = AsrStreamOptions{};
  EXPECT_EQ(run(o), "cb");
  o.contexts.push_back({{"ab"}, 1.0, false});
  EXPECT_EQ(run(o), "ab");
  o = AsrStreamOptions{};
  o.contexts.push_back({{"ab", "b"}, 0.0, true});
  o.contexts.push_back({{"b"}, 2.0, false});
  EXPECT_EQ(run(o), "ab");
}

}  // namespace
}  // namespace auris::models
