#include "bench/load_stats.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iostream>

namespace auris::bench {

using json = nlohmann::json;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }
double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

void Progress(const std::string& message) { std::cerr << "[load] " << message << std::endl; }

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const size_t index = static_cast<size_t>(std::clamp(rank, 1.0, double(sorted.size()))) - 1;
  return sorted[index];
}

double Round(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

json Summary(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  return {{"n", values.size()},
          {"mean", Round(values.empty() ? 0.0 : sum / static_cast<double>(values.size()))},
          {"p50", Round(Percentile(values, 50))},
          {"p90", Round(Percentile(values, 90))},
          {"p99", Round(Percentile(values, 99))},
          {"max", Round(values.empty() ? 0.0 : values.back())}};
}

std::string UtcTimestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace auris::bench
