// AsrBatcher: many streams stepped through one batched network call give exactly what each
// stream gives alone (events, transcripts, word timings, scores, per-frame log-probabilities),
// after every chunk, with streams of different audio, input rates, options and chunk sizes
// joining and leaving the batch. Runs on the tiny golden model and on the shipped model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_batcher.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"
#include "tests/common/syllabic_harmonics.h"
#include "tests/models/asr_test_util.h"

namespace auris::models {
namespace {

using ::testing::HasSubstr;

constexpr int kStreams = 17;

struct StreamPlan {
  AsrStreamOptions options;
  std::vector<float> audio;    // at options.input_rate_hz
  std::vector<size_t> chunks;  // samples per Accept, summing to audio.size()
  int first_tick = 0;          // the batched run's first call that includes this stream
  int idle_every = 0;          // > 0: every idle_every-th tick this stream sends nothing
};

struct Run {
  std::vector<AsrEvent> events;
  std::vector<size_t> events_after_chunk;
  std::vector<int64_t> decoded_ns_after_chunk;
  std::vector<float> features;
  std::vector<float> log_probs;
};

// Deterministic noise in [-amplitude / 2, amplitude / 2).
void AddNoise(std::vector<float>* x, uint32_t seed, float amplitude) {
  for (float& v : *x) {
    seed = seed * 1664525u + 1013904223u;
    v += amplitude * (static_cast<float>(seed >> 8) / 16777216.0f - 0.5f);
  }
}

// Stream i's audio: the golden utterance-like waveform, syllable trains, tone bursts with
// pauses, or near silence; 1.2 .. 4.9 s long.
std::vector<float> Signal(int i, int rate) {
  const size_t n = static_cast<size_t>((1.2 + 0.23 * i) * rate);
  std::vector<float> x(n, 0.0f);
  int kind = i % 4;
  if (kind == 0 && rate != 16000) kind = 1;
  if (kind == 0) {
    const std::vector<float> golden = testing::AsrGoldenWaveform();
    const float gain = 0.6f + 0.1f * static_cast<float>(i % 5);
    for (size_t k = 0; k < n; ++k) x[k] = gain * golden[(k + 1600 * i) % golden.size()];
  } else if (kind == 1) {
    testing::SyllableSpec spec;
    spec.sample_rate_hz = rate;
    spec.f0_hz = 110 + 13 * i;
    spec.period_s = 0.25 + 0.02 * i;
    spec.on_s = 0.15 + 0.01 * i;
    x = testing::SyllabicHarmonics(n, spec);
  } else if (kind == 2) {
    const double f0 = 100.0 + 9.0 * i;
    for (size_t k = 0; k < n; ++k) {
      const double t = static_cast<double>(k) / rate;
      if (std::fmod(t, 1.4) >= 0.8) continue;
      double v = 0.0;
      for (int h = 1; h <= 5; ++h) v += std::sin(2.0 * M_PI * h * (f0 + 40.0 * t) * t) / h;
      x[k] = static_cast<float>(0.3 * v);
    }
  }
  AddNoise(&x, 77u + static_cast<uint32_t>(i), kind == 3 ? 0.004f : 0.02f);
  return x;
}

std::vector<StreamPlan> Plans() {
  const std::vector<std::vector<int>> chunk_ms = {{10},  {30},          {170},
                                                  {100}, {10, 30, 170}, {250, 20}};
  std::vector<StreamPlan> plans(kStreams);
  for (int i = 0; i < kStreams; ++i) {
    StreamPlan& p = plans[i];
    p.options.input_rate_hz = i % 5 == 4 ? 8000 : (i == 7 ? 44100 : 16000);
    p.options.max_alternatives = 1 + i % 3;
    p.options.beam_size = i % 6 == 5 ? 1 : 0;
    p.options.endpointing.min_trailing_silence_ms = i % 2 == 1 ? 300 : 0;
    p.options.endpointing.enabled = i != 11;
    p.audio = Signal(i, p.options.input_rate_hz);
    const std::vector<int>& pattern = chunk_ms[i % chunk_ms.size()];
    for (size_t pos = 0, k = 0; pos < p.audio.size(); ++k) {
      size_t size =
          static_cast<size_t>(pattern[k % pattern.size()] * p.options.input_rate_hz / 1000);
      if (i == 13) size = 37;  // less than a feature hop per call
      size = std::min(size, p.audio.size() - pos);
      p.chunks.push_back(size);
      pos += size;
    }
  }
  return plans;
}

std::unique_ptr<AsrStream> NewStream(const AsrPipeline& p, const AsrStreamOptions& options) {
  absl::StatusOr<std::unique_ptr<AsrStream>> s = p.CreateStream(options);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) return nullptr;
  (*s)->set_capture(true);
  return *std::move(s);
}

void Finish(AsrStream* s, Run* run) {
  EXPECT_TRUE(s->Flush(&run->events).ok());
  run->features = s->captured_features();
  run->log_probs = s->captured_log_probs();
}

Run RunSolo(const AsrPipeline& p, const StreamPlan& plan) {
  Run run;
  std::unique_ptr<AsrStream> s = NewStream(p, plan.options);
  if (s == nullptr) return run;
  size_t pos = 0;
  for (size_t size : plan.chunks) {
    EXPECT_TRUE(s->Accept(std::span<const float>(plan.audio).subspan(pos, size), &run.events).ok());
    pos += size;
    run.events_after_chunk.push_back(run.events.size());
    run.decoded_ns_after_chunk.push_back(s->decoded_ns());
  }
  Finish(s.get(), &run);
  return run;
}

// Each tick, one AcceptBatch over the streams that have joined and not yet left; a stream
// on an idle tick is either in the batch with no samples (even i) or left out (odd i).
std::vector<Run> RunBatched(const AsrPipeline& p, const std::vector<StreamPlan>& plans,
                            int* largest_step) {
  const size_t n = plans.size();
  std::vector<Run> runs(n);
  std::vector<std::unique_ptr<AsrStream>> streams;
  for (const StreamPlan& plan : plans) streams.push_back(NewStream(p, plan.options));
  std::vector<size_t> next(n, 0), pos(n, 0);
  AsrBatcher batcher(&p);
  std::vector<AsrStream*> batch;
  std::vector<std::span<const float>> samples;
  std::vector<size_t> who;
  std::vector<std::vector<AsrEvent>> events;
  *largest_step = 0;
  for (int tick = 0;; ++tick) {
    batch.clear();
    samples.clear();
    who.clear();
    bool open = false;
    for (size_t i = 0; i < n; ++i) {
      const StreamPlan& plan = plans[i];
      if (streams[i] == nullptr || next[i] == plan.chunks.size()) continue;
      open = true;
      if (tick < plan.first_tick) continue;
      const bool idle = plan.idle_every > 0 && tick % plan.idle_every == 0;
      if (idle && i % 2 == 1) continue;
      batch.push_back(streams[i].get());
      samples.push_back(
          idle ? std::span<const float>()
               : std::span<const float>(plan.audio).subspan(pos[i], plan.chunks[next[i]]));
      who.push_back(idle ? n + i : i);
    }
    if (!open) break;
    if (batch.empty()) continue;
    const absl::Status status = batcher.AcceptBatch(batch, samples, &events);
    EXPECT_TRUE(status.ok()) << status;
    *largest_step = std::max(*largest_step, batcher.last_largest_step());
    for (size_t j = 0; j < batch.size(); ++j) {
      const bool idle = who[j] >= n;
      const size_t i = idle ? who[j] - n : who[j];
      Run& run = runs[i];
      run.events.insert(run.events.end(), events[j].begin(), events[j].end());
      if (idle) {
        EXPECT_TRUE(events[j].empty()) << "stream " << i << " tick " << tick;
        continue;
      }
      pos[i] += plans[i].chunks[next[i]++];
      run.events_after_chunk.push_back(run.events.size());
      run.decoded_ns_after_chunk.push_back(streams[i]->decoded_ns());
      if (next[i] == plans[i].chunks.size()) Finish(streams[i].get(), &run);
    }
  }
  return runs;
}

void ExpectSameEvents(const std::vector<AsrEvent>& a, const std::vector<AsrEvent>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t e = 0; e < a.size(); ++e) {
    EXPECT_EQ(a[e].type, b[e].type) << "event " << e;
    EXPECT_EQ(a[e].offset_ns, b[e].offset_ns) << "event " << e;
    const AsrResult& x = a[e].result;
    const AsrResult& y = b[e].result;
    EXPECT_EQ(x.start_ns, y.start_ns);
    EXPECT_EQ(x.end_ns, y.end_ns);
    ASSERT_EQ(x.alternatives.size(), y.alternatives.size()) << "event " << e;
    for (size_t k = 0; k < x.alternatives.size(); ++k) {
      const AsrAlternative& u = x.alternatives[k];
      const AsrAlternative& v = y.alternatives[k];
      EXPECT_EQ(u.transcript, v.transcript) << "event " << e << " alternative " << k;
      EXPECT_NEAR(u.score, v.score, 1e-4 * std::max(1.0, std::abs(u.score)));
      EXPECT_NEAR(u.confidence, v.confidence, 1e-4);
      ASSERT_EQ(u.words.size(), v.words.size());
      for (size_t w = 0; w < u.words.size(); ++w) {
        EXPECT_EQ(u.words[w].word, v.words[w].word);
        EXPECT_EQ(u.words[w].start_ns, v.words[w].start_ns);
        EXPECT_EQ(u.words[w].end_ns, v.words[w].end_ns);
        EXPECT_NEAR(u.words[w].confidence, v.words[w].confidence, 1e-4);
      }
    }
  }
}

// Returns the number of final results with a transcript (so callers can check the audio
// exercised the decoder).
int ExpectSameRun(const Run& solo, const Run& batched) {
  EXPECT_EQ(solo.events_after_chunk, batched.events_after_chunk);
  EXPECT_EQ(solo.decoded_ns_after_chunk, batched.decoded_ns_after_chunk);
  EXPECT_EQ(solo.features, batched.features);
  EXPECT_EQ(solo.log_probs.size(), batched.log_probs.size());
  // GEMMs over other batch sizes round differently: 1e-5, relative beyond magnitude 1.
  float worst = 0.0f;
  for (size_t k = 0; k < std::min(solo.log_probs.size(), batched.log_probs.size()); ++k) {
    const float scale = std::max(1.0f, std::abs(solo.log_probs[k]));
    worst = std::max(worst, std::abs(solo.log_probs[k] - batched.log_probs[k]) / scale);
  }
  EXPECT_LE(worst, 1e-5f);
  ExpectSameEvents(solo.events, batched.events);
  int finals = 0;
  for (const AsrEvent& e : solo.events) {
    finals += e.type == AsrEvent::Type::kFinal && !e.result.alternatives.empty() &&
              !e.result.alternatives[0].words.empty();
  }
  return finals;
}

void ExpectBatchedEqualsSolo(const AsrPipeline& p, const std::vector<StreamPlan>& plans,
                             int min_largest_step) {
  int largest_step = 0;
  const std::vector<Run> batched = RunBatched(p, plans, &largest_step);
  EXPECT_GE(largest_step, min_largest_step);
  int finals = 0;
  for (size_t i = 0; i < plans.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "stream " << i);
    const Run solo = RunSolo(p, plans[i]);
    EXPECT_FALSE(solo.log_probs.empty());
    finals += ExpectSameRun(solo, batched[i]);
  }
  EXPECT_GT(finals, 0) << "no stream produced a transcript; the comparison is too weak";
}

std::unique_ptr<AsrPipeline> LoadShipped() {
  const std::string dir = std::string(AURIS_SOURCE_DIR) + "/models/asr/";
  ModelInfo info;
  info.name = "asr";
  info.task = kTaskAsr;
  absl::StatusOr<std::unique_ptr<AsrPipeline>> p =
      AsrPipeline::Load(info, dir + "asr.safetensors", dir + "asr.arpa");
  EXPECT_TRUE(p.ok()) << p.status();
  return p.ok() ? *std::move(p) : nullptr;
}

bool ShippedPresent() {
  return std::filesystem::exists(std::string(AURIS_SOURCE_DIR) + "/models/asr/asr.safetensors");
}

TEST(AsrBatchTest, TinyModelSeventeenStreamsEqualSolo) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  ExpectBatchedEqualsSolo(*p, Plans(), 12);
}

TEST(AsrBatchTest, TinyModelStreamsJoiningAndLeavingEqualSolo) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  std::vector<StreamPlan> plans = Plans();
  for (int i = 0; i < kStreams; ++i) {
    plans[i].first_tick = (i * 7) % 23;
    plans[i].idle_every = 2 + i % 3;
  }
  ExpectBatchedEqualsSolo(*p, plans, 6);
}

TEST(AsrBatchTest, ShippedModelSeventeenStreamsEqualSolo) {
  if (!ShippedPresent()) GTEST_SKIP() << "models/asr/asr.safetensors is not shipped";
  auto p = LoadShipped();
  ASSERT_NE(p, nullptr);
  ExpectBatchedEqualsSolo(*p, Plans(), 12);
}

TEST(AsrBatchTest, ShippedModelStreamsJoiningAndLeavingEqualSolo) {
  if (!ShippedPresent()) GTEST_SKIP() << "models/asr/asr.safetensors is not shipped";
  auto p = LoadShipped();
  ASSERT_NE(p, nullptr);
  std::vector<StreamPlan> plans = Plans();
  for (int i = 0; i < kStreams; ++i) {
    plans[i].first_tick = (i * 5) % 19;
    plans[i].idle_every = 2 + i % 4;
  }
  ExpectBatchedEqualsSolo(*p, plans, 6);
}

TEST(AsrBatchTest, OneStepForEqualChunksAndNoneWithoutAFrame) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  std::vector<std::unique_ptr<AsrStream>> owned;
  std::vector<AsrStream*> streams;
  for (int i = 0; i < 5; ++i) {
    owned.push_back(NewStream(*p, {}));
    streams.push_back(owned.back().get());
  }
  const std::vector<float> x = testing::AsrGoldenWaveform();
  std::vector<std::span<const float>> samples(5, std::span<const float>(x).first(1600));
  AsrBatcher batcher(p.get());
  std::vector<std::vector<AsrEvent>> events;
  ASSERT_TRUE(batcher.AcceptBatch(streams, samples, &events).ok());
  EXPECT_EQ(batcher.last_network_steps(), 1);
  EXPECT_EQ(batcher.last_largest_step(), 5);
  EXPECT_EQ(events.size(), 5u);
  // Two stride-2 causal convs: the first row gives a frame, then every 4th. 100 ms = 8 rows =
  // 2 frames, as if all 8 rows had been fed (the 3 held back complete no frame).
  EXPECT_EQ(p->first_output_rows(), 1);
  EXPECT_EQ(owned[0]->decoded_ns(), 2 * p->frame_ns());
  // 40 samples more: no stream completes a feature row, so the network does not run.
  std::vector<std::span<const float>> tiny(5, std::span<const float>(x).subspan(1600, 40));
  ASSERT_TRUE(batcher.AcceptBatch(streams, tiny, &events).ok());
  EXPECT_EQ(batcher.last_network_steps(), 0);
  for (AsrStream* s : streams) EXPECT_EQ(s->decoded_ns(), owned[0]->decoded_ns());
}

TEST(AsrBatchTest, NetworkScratchStopsAllocatingAfterWarmUp) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  std::vector<std::unique_ptr<AsrStream>> owned;
  std::vector<AsrStream*> streams;
  for (int i = 0; i < 8; ++i) {
    owned.push_back(NewStream(*p, {}));
    owned.back()->set_capture(false);
    streams.push_back(owned.back().get());
  }
  const std::vector<float> x = testing::AsrGoldenWaveform();
  AsrBatcher batcher(p.get());
  std::vector<std::vector<AsrEvent>> events;
  std::vector<std::span<const float>> samples(8);
  int64_t warm = 0;
  for (size_t call = 0; call < 30; ++call) {
    for (size_t i = 0; i < 8; ++i) {
      samples[i] = std::span<const float>(x).subspan(((call + 3 * i) % 30) * 1600, 1600);
    }
    ASSERT_TRUE(batcher.AcceptBatch(streams, samples, &events).ok());
    EXPECT_EQ(batcher.last_largest_step(), 8);
    if (call == 5) warm = batcher.workspace_heap_allocations();
  }
  EXPECT_GT(warm, 0);
  EXPECT_EQ(batcher.workspace_heap_allocations(), warm);
}

TEST(AsrBatchTest, RejectsBadArgumentsWithClearMessages) {
  auto p = testing::LoadTinyAsr();
  auto other = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  ASSERT_NE(other, nullptr);
  std::unique_ptr<AsrStream> a = NewStream(*p, {});
  std::unique_ptr<AsrStream> foreign = NewStream(*other, {});
  const std::vector<float> x(1600, 0.0f);
  AsrBatcher batcher(p.get());
  std::vector<std::vector<AsrEvent>> events;
  const std::span<const float> chunk(x);
  std::vector<std::span<const float>> two = {chunk, chunk};

  std::vector<AsrStream*> one = {a.get()};
  EXPECT_THAT(batcher.AcceptBatch(one, two, &events).message(), HasSubstr("1 streams but 2"));
  std::vector<AsrStream*> twice = {a.get(), a.get()};
  EXPECT_THAT(batcher.AcceptBatch(twice, two, &events).message(),
              HasSubstr("streams 0 and 1 are the same stream"));
  std::vector<AsrStream*> with_null = {a.get(), nullptr};
  EXPECT_THAT(batcher.AcceptBatch(with_null, two, &events).message(),
              HasSubstr("stream 1 is null"));
  std::vector<AsrStream*> mixed = {a.get(), foreign.get()};
  const absl::Status s = batcher.AcceptBatch(mixed, two, &events);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("stream 1 was created by another pipeline"));
  EXPECT_EQ(a->decoded_ns(), 0) << "a rejected call must not process any stream";
  EXPECT_EQ(batcher.AcceptBatch(one, two, nullptr).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace auris::models
