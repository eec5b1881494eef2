#include "bench/load_options.h"

#include <algorithm>

namespace auris::bench {

using json = nlohmann::json;

json OptionsJson(const Options& o) {
  return {{"server", o.server.empty() ? json(nullptr) : json(o.server)},
          {"server_binary", o.server_binary},
          {"workers", o.workers},
          {"server_flags", o.server_flags},
          {"pin", o.pin},
          {"model", o.model},
          {"sample_rate", o.sample_rate},
          {"chunk_ms", o.chunk_ms},
          {"model_delay_samples", o.model_delay_samples},
          {"budget_ms", o.budget_ms},
          {"streams", o.streams},
          {"seconds", o.seconds},
          {"ramp", o.ramp},
          {"ramp_seconds", o.ramp_seconds},
          {"refine_steps", o.refine_steps},
          {"memory_streams", o.memory_streams},
          {"unary_calls", o.unary_calls},
          {"unary_threads", o.unary_threads},
          {"unary_audio_seconds", o.unary_audio_seconds},
          {"streams_per_channel", o.streams_per_channel},
          {"phases", o.phases},
          {"quick", o.quick}};
}

bool HasPhase(const Options& o, const std::string& phase) {
  return std::find(o.phases.begin(), o.phases.end(), phase) != o.phases.end();
}

}  // namespace auris::bench
