// Non-streaming phases of stream_load_driver: server memory per idle stream ("memory") and
// Denoise throughput from several client threads ("unary").
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench/load_options.h"

namespace auris::bench {

// Server VmRSS with 0, S/4 and S open streams that each sent one chunk and got an answer.
// Needs the server's `pid` (reads /proc/<pid>/status).
nlohmann::json RunMemory(const Options& o, const std::string& address, pid_t pid,
                         const std::vector<std::string>& audio);

// o.unary_calls Denoise calls of `audio` (LINEAR16) from o.unary_threads threads, as fast as
// possible; `pid` <= 0 omits the server CPU figures.
nlohmann::json RunUnary(const Options& o, const std::string& address, pid_t pid,
                        const std::string& audio);

}  // namespace auris::bench
