// Options of stream_load_driver (one field per flag, with its default) and their JSON echo.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#ifndef AURIS_BINARY_DIR
#define AURIS_BINARY_DIR "build"
#endif

namespace auris::bench {

struct Options {
  std::string server;  // HOST:PORT of a running server; empty = start one
  std::string server_binary = AURIS_BINARY_DIR "/server/auris-server";
  int workers = 0;  // 0 = the server's default (one per core)
  std::vector<std::string> server_flags;
  bool pin = true;
  std::string model = "classic";
  int sample_rate = 16000;
  int chunk_ms = 100;
  int model_delay_samples = 160;
  double budget_ms = 200;
  int streams = 32;
  double seconds = 10;
  std::vector<int> ramp = {1, 8, 32, 64, 128, 256, 512, 1024};
  double ramp_seconds = 5;
  int refine_steps = 3;
  int memory_streams = 256;
  int unary_calls = 32;
  int unary_threads = 4;
  double unary_audio_seconds = 10;
  int streams_per_channel = 32;
  std::vector<std::string> phases = {"memory", "realtime", "unary", "ramp"};
  bool quick = false;
};

nlohmann::json OptionsJson(const Options& o);

bool HasPhase(const Options& o, const std::string& phase);

}  // namespace auris::bench
