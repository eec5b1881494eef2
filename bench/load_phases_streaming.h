// Streaming phases of stream_load_driver: S real-time paced streams ("realtime"), and the
// streams-per-core ramp against a --workers 1 server pinned to core 0 ("ramp").
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/load_options.h"

namespace auris::bench {

struct RunResult {
  nlohmann::json report;
  bool passed = false;
  std::string limited_by;  // why it did not pass; "" when it passed
};

// S streams, each sending chunk_ms chunks at real time for `seconds`; stream i starts i/S of a
// chunk period after stream 0 so the load is spread evenly, as independent clients would.
// `server_pid` <= 0 omits the server CPU figures; `audio`: LINEAR16 clips, reused cyclically.
RunResult RunRealtime(const Options& o, const std::string& address, pid_t server_pid, int streams,
                      double seconds, const std::vector<std::string>& audio);

// Raises S over o.ramp (then bisects) until a real-time run fails; starts its own pinned
// server unless o.server is set. Returns the "streams_per_core" report.
nlohmann::json RunRamp(const Options& o, const std::vector<std::string>& audio);

}  // namespace auris::bench
