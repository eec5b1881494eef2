#include "nn/ctc_beam_stream.h"

#include <limits>

namespace auris::nn {

void CtcBeamStream::Reset(uint64_t scorer_start_state) {
  nodes_.clear();
  nodes_.push_back(Node{.scorer_state = scorer_start_state});
  beam_.clear();
  beam_.push_back(Hypothesis{
      .node = 0, .log_blank = 0.0, .log_non_blank = -std::numeric_limits<double>::infinity()});
  candidates_.clear();
  for (uint32_t slot : used_slots_) slot_candidates_[slot] = -1;
  used_slots_.clear();
  frames_decoded_ = 0;
  vocab_size_ = -1;
}

}  // namespace auris::nn
