#include "models/asr/asr_pipeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_stream.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;

std::vector<AsrResult> Finals(const std::vector<AsrEvent>& events) {
  std::vector<AsrResult> out;
  for (const AsrEvent& e : events) {
    if (e.type == AsrEvent::Type::kFinal) out.push_back(e.result);
  }
  return out;
}

std::vector<AsrEvent> RunChunks(const AsrPipeline& p, const AsrStreamOptions& options,
                                const std::vector<float>& x, size_t chunk, AsrStream** keep,
                                std::unique_ptr<AsrStream>* owner) {
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(options);
  EXPECT_TRUE(s.ok()) << s.status();
  (*s)->set_capture(true);
  std::vector<AsrEvent> events;
  for (size_t pos = 0; pos < x.size(); pos += chunk) {
    const size_t n = std::min(chunk, x.size() - pos);
    EXPECT_TRUE((*s)->Accept(std::span<const float>(x.data() + pos, n), &events).ok());
  }
  EXPECT_TRUE((*s)->Flush(&events).ok());
  *owner = *std::move(s);
  *keep = owner->get();
  return events;
}

TEST(AsrPipelineTest, DescribesItselfFromTheModelFile) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->frame_ns(), 40'000'000);
  EXPECT_EQ(p->model_rate_hz(), 16000);
  EXPECT_EQ(p->symbols().symbols.size(), 29u);
  EXPECT_EQ(p->symbols().blank, 0);
  EXPECT_EQ(p->symbols().separator, 28);
  EXPECT_EQ(p->defaults().beam_size, 8);
  EXPECT_DOUBLE_EQ(p->defaults().lm_weight, 0.5);
  EXPECT_DOUBLE_EQ(p->defaults().word_insertion_bonus, 0.5);
  EXPECT_TRUE(p->has_lm());
  EXPECT_EQ(p->feature_config().cmvn, dsp::CmvnMode::kGlobal);
  EXPECT_TRUE(p->info().streaming);
  EXPECT_GT(p->info().parameter_count, 1000);
}

TEST(AsrPipelineTest, NetworkOutputMatchesTorch) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::vector<float> want = testing::ReadAsrGoldenFloats("asr_tiny_logprobs.f32");
  ASSERT_EQ(want.size(), 80u * 29u);
  AsrStream* s = nullptr;
  std::unique_ptr<AsrStream> owner;
  RunChunks(*p, {}, testing::AsrGoldenWaveform(), 1 << 20, &s, &owner);
  const std::vector<float>& got = s->captured_log_probs();
  ASSERT_EQ(got.size(), want.size());
  float worst = 0.0f;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LE(worst, 1e-4f);
}

TEST(AsrPipelineTest, TenMillisecondChunksEqualTheWholeFile) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = testing::AsrGoldenWaveform();
  AsrStreamOptions options;
  options.max_alternatives = 5;
  AsrStream *whole = nullptr, *chunked = nullptr;
  std::unique_ptr<AsrStream> o1, o2;
  const std::vector<AsrEvent> a = RunChunks(*p, options, x, x.size(), &whole, &o1);
  const std::vector<AsrEvent> b = RunChunks(*p, options, x, 160, &chunked, &o2);
  ASSERT_EQ(whole->captured_features().size(), chunked->captured_features().size());
  for (size_t i = 0; i < whole->captured_features().size(); ++i) {
    ASSERT_NEAR(whole->captured_features()[i], chunked->captured_features()[i], 1e-5) << i;
  }
  ASSERT_EQ(whole->captured_log_probs().size(), chunked->captured_log_probs().size());
  for (size_t i = 0; i < whole->captured_log_probs().size(); ++i) {
    ASSERT_NEAR(whole->captured_log_probs()[i], chunked->captured_log_probs()[i], 1e-5) << i;
  }
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].type, b[i].type);
    EXPECT_EQ(a[i].offset_ns, b[i].offset_ns);
    ASSERT_EQ(a[i].result.alternatives.size(), b[i].result.alternatives.size());
    for (size_t k = 0; k < a[i].result.alternatives.size(); ++k) {
      EXPECT_EQ(a[i].result.alternatives[k].transcript, b[i].result.alternatives[k].transcript);
      EXPECT_NEAR(a[i].result.alternatives[k].score, b[i].result.alternatives[k].score, 1e-3);
    }
  }
}

TEST(AsrPipelineTest, EndpointingSplitsUtterancesAtThePause) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  AsrStream* s = nullptr;
  std::unique_ptr<AsrStream> owner;
  const std::vector<AsrEvent> events =
      RunChunks(*p, {}, testing::AsrGoldenWaveform(), 1600, &s, &owner);
  std::vector<AsrEvent::Type> types;
  for (const AsrEvent& e : events) types.push_back(e.type);
  using T = AsrEvent::Type;
  EXPECT_EQ(types, (std::vector<T>{T::kSpeechBegin, T::kSpeechEnd, T::kFinal, T::kSpeechBegin,
                                   T::kSpeechEnd, T::kFinal}));
  const std::vector<AsrResult> finals = Finals(events);
  ASSERT_EQ(finals.size(), 2u);
  // Bursts at [0.3, 1.1) and [2.1, 2.9) s; the model's frames are 40 ms.
  EXPECT_NEAR(events[0].offset_ns / 1e9, 0.3, 0.1);
  EXPECT_NEAR(events[1].offset_ns / 1e9, 1.1, 0.1);
  EXPECT_NEAR(events[3].offset_ns / 1e9, 2.1, 0.1);
  EXPECT_LE(finals[0].end_ns, finals[1].start_ns);
  EXPECT_GE(finals[1].start_ns, 1'100'000'000);
  for (const AsrResult& r : finals) {
    EXPECT_TRUE(r.is_final);
    ASSERT_FALSE(r.alternatives.empty());
    EXPECT_FALSE(r.alternatives[0].transcript.empty());
    EXPECT_GE(r.alternatives[0].confidence, 0.0f);
    EXPECT_LE(r.alternatives[0].confidence, 1.0f);
    for (const AsrWord& w : r.alternatives[0].words) {
      EXPECT_GE(w.start_ns, r.start_ns);
      EXPECT_LE(w.end_ns, r.end_ns);
      EXPECT_LT(w.start_ns, w.end_ns);
    }
  }
}

TEST(AsrPipelineTest, InterimStablePrefixStaysInTheFinal) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x = testing::AsrGoldenWaveform();
  AsrStreamOptions options;
  options.endpointing.enabled = false;
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p->CreateStream(options);
  ASSERT_TRUE(s.ok());
  std::vector<AsrEvent> events;
  std::vector<std::string> prefixes;
  for (size_t pos = 0; pos < x.size(); pos += 3200) {
    const size_t n = std::min<size_t>(3200, x.size() - pos);
    ASSERT_TRUE((*s)->Accept(std::span<const float>(x.data() + pos, n), &events).ok());
    const AsrResult interim = (*s)->Interim();
    EXPECT_FALSE(interim.is_final);
    EXPECT_GE(interim.stability, 0.0f);
    EXPECT_LE(interim.stability, 1.0f);
    if (!prefixes.empty()) {
      EXPECT_EQ(interim.stable_prefix.rfind(prefixes.back(), 0), 0u);
    }
    prefixes.push_back(interim.stable_prefix);
  }
  ASSERT_TRUE((*s)->Flush(&events).ok());
  const std::vector<AsrResult> finals = Finals(events);
  ASSERT_EQ(finals.size(), 1u);
  EXPECT_EQ(finals[0].alternatives[0].transcript.rfind(prefixes.back(), 0), 0u);
}

TEST(AsrPipelineTest, ResamplesOtherInputRates) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  const std::vector<float> x16 = testing::AsrGoldenWaveform();
  std::vector<float> x8(x16.size() / 2);
  for (size_t i = 0; i < x8.size(); ++i) x8[i] = x16[2 * i];
  AsrStreamOptions options;
  options.input_rate_hz = 8000;
  AsrStream* s = nullptr;
  std::unique_ptr<AsrStream> owner;
  const std::vector<AsrEvent> events = RunChunks(*p, options, x8, 800, &s, &owner);
  EXPECT_EQ(Finals(events).size(), 2u);
}

TEST(AsrPipelineTest, RejectsBadOptionsWithClearMessages) {
  auto p = testing::LoadTinyAsr(/*with_lm=*/false);
  ASSERT_NE(p, nullptr);
  auto expect_bad = [&](const AsrStreamOptions& o, const std::string& text) {
    absl::StatusOr<std::unique_ptr<AsrStream>> s = p->CreateStream(o);
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(text));
  };
  AsrStreamOptions o;
  o.beam_size = 500;
  expect_bad(o, "decoding.beam_size is 500");
  o = {};
  o.lm_weight = 0.5;
  expect_bad(o, "has no language model");
  o = {};
  o.max_alternatives = 11;
  expect_bad(o, "max_alternatives is 11");
  o = {};
  o.contexts.push_back({{"hello"}, 25.0, false});
  expect_bad(o, "speech_contexts[0].boost is 25");
  o = {};
  o.contexts.push_back({{"h\xc3\xa9llo"}, 5.0, false});
  expect_bad(o, "cannot spell");
  o = {};
  o.beam_size = 1;
  o.contexts.push_back({{"hello"}, 5.0, false});
  expect_bad(o, "greedy");
  o = {};
  o.endpointing.min_trailing_silence_ms = 5;
  expect_bad(o, "endpointing.min_trailing_silence_ms is 5");
  o = {};
  o.word_insertion_bonus = 1.0;  // a bonus without an LM is fine
  EXPECT_TRUE(p->CreateStream(o).ok());
}

}  // namespace
}  // namespace auris::models
