#include "server/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::server {

void Metrics::RecordRequest(const std::string& method, const std::string& code, double seconds,
                            double audio_seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  PerMethod& m = methods_[method];
  ++m.by_code[code];
  ++m.count;
  m.sum_seconds += seconds;
  m.audio_seconds += audio_seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++m.buckets[i];
  }
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out += "# HELP auris_requests_total Finished RPCs by method and gRPC status code.\n";
  out += "# TYPE auris_requests_total counter\n";
  for (const auto& [method, m] : methods_) {
    for (const auto& [code, n] : m.by_code) {
      absl::StrAppend(&out, "auris_requests_total{method=\"", method, "\",code=\"", code, "\"} ", n,
                      "\n");
    }
  }
  out += "# HELP auris_audio_seconds_total Seconds of audio processed by method.\n";
  out += "# TYPE auris_audio_seconds_total counter\n";
  for (const auto& [method, m] : methods_) {
    absl::StrAppend(&out, "auris_audio_seconds_total{method=\"", method, "\"} ",
                    absl::StrFormat("%.3f", m.audio_seconds), "\n");
  }
  out += "# HELP auris_request_duration_seconds Wall time of finished RPCs.\n";
  out += "# TYPE auris_request_duration_seconds histogram\n";
  for (const auto& [method, m] : methods_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      absl::StrAppend(&out, "auris_request_duration_seconds_bucket{method=\"", method, "\",le=\"",
                      absl::StrFormat("%g", kBuckets[i]), "\"} ", m.buckets[i], "\n");
    }
    absl::StrAppend(&out, "auris_request_duration_seconds_bucket{method=\"", method,
                    "\",le=\"+Inf\"} ", m.count, "\n");
    absl::StrAppend(&out, "auris_request_duration_seconds_sum{method=\"", method, "\"} ",
                    absl::StrFormat("%.6f", m.sum_seconds), "\n");
    absl::StrAppend(&out, "auris_request_duration_seconds_count{method=\"", method, "\"} ", m.count,
                    "\n");
  }
  out += "# HELP auris_active_streams Streaming RPCs in progress.\n";
  out += "# TYPE auris_active_streams gauge\n";
  absl::StrAppend(&out, "auris_active_streams ", active_streams_.load(), "\n");
  out += "# HELP auris_asr_batches_total Batched streaming-recognition steps.\n";
  out += "# TYPE auris_asr_batches_total counter\n";
  absl::StrAppend(&out, "auris_asr_batches_total ", asr_batches_.load(), "\n");
  out +=
      "# HELP auris_asr_batch_streams_total Streams in those steps (over auris_asr_batches_total: "
      "the mean batch size).\n";
  out += "# TYPE auris_asr_batch_streams_total counter\n";
  absl::StrAppend(&out, "auris_asr_batch_streams_total ", asr_batch_streams_.load(), "\n");
  return out;
}

}  // namespace auris::server
