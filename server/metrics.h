// Process-wide counters for the Prometheus endpoint. Thread-safe (atomics / one mutex).
#ifndef AURIS_SERVER_METRICS_H_
#define AURIS_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <map>
#include <mutex>
#include <string>

namespace auris::server {

class Metrics {
 public:
  // Latency buckets (seconds) of auris_request_duration_seconds.
  static constexpr std::array<double, 10> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,  1.0,   2.5,  10.0};

  // One finished RPC: method ("Denoise"), gRPC code name ("OK"), duration and audio seconds.
  void RecordRequest(const std::string& method, const std::string& code, double seconds,
                     double audio_seconds);
  void StreamOpened() { active_streams_.fetch_add(1); }
  void StreamClosed() { active_streams_.fetch_sub(1); }
  int active_streams() const { return active_streams_.load(); }
  // One batched streaming-recognition step over `streams` streams (--max_batch_size > 1).
  void RecordAsrBatch(int streams) {
    asr_batches_.fetch_add(1);
    asr_batch_streams_.fetch_add(streams);
  }
  // The Prometheus text exposition of everything recorded.
  std::string Render() const;

 private:
  struct PerMethod {
    std::map<std::string, long long> by_code;
    std::array<long long, kBuckets.size()> buckets{};
    long long count = 0;
    double sum_seconds = 0;
    double audio_seconds = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, PerMethod> methods_;
  std::atomic<int> active_streams_{0};
  std::atomic<long long> asr_batches_{0};
  std::atomic<long long> asr_batch_streams_{0};
};

}  // namespace auris::server

#endif  // AURIS_SERVER_METRICS_H_
