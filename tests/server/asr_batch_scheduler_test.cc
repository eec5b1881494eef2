// AsrBatchScheduler on a real worker pool with the tiny ASR fixture: streams that each submit
// their next chunk when the previous one is done get exactly the results of running alone,
// whether batches leave full or on their wait timer.
#include "server/asr_batch_scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "models/asr/asr_stream.h"
#include "tests/models/asr_test_util.h"

namespace auris::server {
namespace {

using models::AsrEvent;
using models::AsrPipeline;
using models::AsrStream;

// Stream i: the golden waveform at its own gain and rotation, (1.5 + 0.25 i) s long.
std::vector<float> Audio(int i) {
  const std::vector<float> golden = testing::AsrGoldenWaveform();
  std::vector<float> x(static_cast<size_t>((1.5 + 0.25 * i) * 16000));
  for (size_t k = 0; k < x.size(); ++k) {
    x[k] = (0.5f + 0.1f * static_cast<float>(i % 5)) * golden[(k + 2400 * i) % golden.size()];
  }
  return x;
}

std::vector<size_t> Chunks(size_t samples, size_t count) {
  std::vector<size_t> sizes(count, samples / count);
  sizes.back() += samples % count;
  return sizes;
}

struct Outcome {
  std::vector<AsrEvent> events;
  std::vector<float> log_probs;
};

Outcome RunAlone(const AsrPipeline& p, const std::vector<float>& audio,
                 const std::vector<size_t>& chunks) {
  Outcome out;
  auto s = p.CreateStream({});
  EXPECT_TRUE(s.ok()) << s.status();
  (*s)->set_capture(true);
  size_t pos = 0;
  for (size_t size : chunks) {
    EXPECT_TRUE((*s)->Accept(std::span<const float>(audio).subspan(pos, size), &out.events).ok());
    pos += size;
  }
  EXPECT_TRUE((*s)->Flush(&out.events).ok());
  out.log_probs = (*s)->captured_log_probs();
  return out;
}

// Each stream submits chunk k + 1 from the `done` of chunk k, as a reactor does.
class Driver {
 public:
  Driver(AsrBatchScheduler* scheduler, const AsrPipeline* p, int streams,
         const std::vector<std::vector<float>>& audio,
         const std::vector<std::vector<size_t>>& chunks)
      : scheduler_(scheduler), p_(p), audio_(audio), chunks_(chunks), outcomes_(streams) {
    for (int i = 0; i < streams; ++i) {
      auto s = p->CreateStream({});
      EXPECT_TRUE(s.ok()) << s.status();
      (*s)->set_capture(true);
      streams_.push_back(*std::move(s));
    }
    next_.assign(streams, 0);
    pos_.assign(streams, 0);
    running_ = streams;
  }

  std::vector<Outcome> Run() {
    for (size_t i = 0; i < streams_.size(); ++i) SubmitNext(i);
    {
      std::unique_lock<std::mutex> lock(mu_);
      EXPECT_TRUE(done_cv_.wait_for(lock, std::chrono::seconds(120), [&] { return running_ == 0; }))
          << "streams still waiting for their batch";
    }
    for (size_t i = 0; i < streams_.size(); ++i) {
      EXPECT_TRUE(streams_[i]->Flush(&outcomes_[i].events).ok());
      outcomes_[i].log_probs = streams_[i]->captured_log_probs();
    }
    return outcomes_;
  }

 private:
  void SubmitNext(size_t i) {
    const size_t size = chunks_[i][next_[i]];
    const std::span<const float> chunk = std::span<const float>(audio_[i]).subspan(pos_[i], size);
    pos_[i] += size;
    ++next_[i];
    scheduler_->Submit(p_, streams_[i].get(), chunk,
                       [this, i](absl::Status status, std::vector<AsrEvent>* events) {
                         EXPECT_TRUE(status.ok()) << status;
                         outcomes_[i].events.insert(outcomes_[i].events.end(), events->begin(),
                                                    events->end());
                         if (next_[i] < chunks_[i].size()) {
                           SubmitNext(i);
                           return;
                         }
                         std::lock_guard<std::mutex> lock(mu_);
                         if (--running_ == 0) done_cv_.notify_all();
                       });
  }

  AsrBatchScheduler* const scheduler_;
  const AsrPipeline* const p_;
  const std::vector<std::vector<float>>& audio_;
  const std::vector<std::vector<size_t>>& chunks_;
  std::vector<std::unique_ptr<AsrStream>> streams_;
  std::vector<size_t> next_, pos_;
  std::vector<Outcome> outcomes_;
  std::mutex mu_;
  std::condition_variable done_cv_;
  int running_ = 0;
};

void ExpectSame(const Outcome& alone, const Outcome& batched) {
  ASSERT_EQ(alone.events.size(), batched.events.size());
  for (size_t e = 0; e < alone.events.size(); ++e) {
    EXPECT_EQ(alone.events[e].type, batched.events[e].type);
    EXPECT_EQ(alone.events[e].offset_ns, batched.events[e].offset_ns);
    const auto& a = alone.events[e].result.alternatives;
    const auto& b = batched.events[e].result.alternatives;
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k].transcript, b[k].transcript);
  }
  ASSERT_EQ(alone.log_probs.size(), batched.log_probs.size());
  for (size_t k = 0; k < alone.log_probs.size(); ++k) {
    ASSERT_NEAR(alone.log_probs[k], batched.log_probs[k], 1e-5) << k;
  }
}

TEST(AsrBatchSchedulerTest, FullBatchesGiveEachStreamItsSoloResults) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  constexpr int kStreams = 8;
  constexpr size_t kChunks = 20;
  std::vector<std::vector<float>> audio;
  std::vector<std::vector<size_t>> chunks;
  for (int i = 0; i < kStreams; ++i) {
    audio.push_back(Audio(i));
    chunks.push_back(Chunks(audio.back().size(), kChunks));
  }
  boost::asio::thread_pool pool(2);
  // Every stream has as many chunks: each round fills a batch, so the (long) wait never ends
  // one and the batching is deterministic.
  AsrBatchScheduler scheduler(kStreams, /*max_batch_wait_ms=*/1000, pool.get_executor());
  const std::vector<Outcome> batched = Driver(&scheduler, p.get(), kStreams, audio, chunks).Run();
  pool.join();
  EXPECT_EQ(scheduler.batches(), static_cast<int64_t>(kChunks));
  EXPECT_EQ(scheduler.largest_batch(), kStreams);
  int finals = 0;
  for (int i = 0; i < kStreams; ++i) {
    SCOPED_TRACE(i);
    const Outcome alone = RunAlone(*p, audio[i], chunks[i]);
    ExpectSame(alone, batched[i]);
    for (const AsrEvent& e : alone.events) finals += e.type == AsrEvent::Type::kFinal;
  }
  EXPECT_GT(finals, 0);
}

TEST(AsrBatchSchedulerTest, PartialBatchesOnTheTimerGiveEachStreamItsSoloResults) {
  auto p = testing::LoadTinyAsr();
  ASSERT_NE(p, nullptr);
  constexpr int kStreams = 11;
  std::vector<std::vector<float>> audio;
  std::vector<std::vector<size_t>> chunks;
  for (int i = 0; i < kStreams; ++i) {
    audio.push_back(Audio(i));
    chunks.push_back(Chunks(audio.back().size(), 5 + 3 * static_cast<size_t>(i)));
  }
  boost::asio::thread_pool pool(2);
  AsrBatchScheduler scheduler(4, /*max_batch_wait_ms=*/1, pool.get_executor());
  const std::vector<Outcome> batched = Driver(&scheduler, p.get(), kStreams, audio, chunks).Run();
  pool.join();
  EXPECT_LE(scheduler.largest_batch(), 4);
  for (int i = 0; i < kStreams; ++i) {
    SCOPED_TRACE(i);
    ExpectSame(RunAlone(*p, audio[i], chunks[i]), batched[i]);
  }
}

}  // namespace
}  // namespace auris::server
