// Timing, percentile and JSON-summary helpers shared by the stream_load_driver phases.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace auris::bench {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d);
double Seconds(Clock::duration d);

// Writes "[load] message" to stderr (stdout carries only the JSON report).
void Progress(const std::string& message);

// Nearest-rank percentile of an ascending-sorted vector; 0 when empty.
double Percentile(const std::vector<double>& sorted, double p);

double Round(double v, int digits = 3);

// {n, mean, p50, p90, p99, max} of `values` (any order), rounded to 3 digits.
nlohmann::json Summary(std::vector<double> values);

// The current UTC time as "YYYY-MM-DDTHH:MM:SSZ".
std::string UtcTimestamp();

}  // namespace auris::bench
