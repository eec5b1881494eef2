// Per-stream state of CtcPrefixBeamSearch: the prefix tree and the current beam. Owned by
// one stream and advanced chunk by chunk; not thread-safe (one worker at a time). Memory
// grows with (frames decoded) x (beam size) prefix nodes until Reset.
#ifndef AURIS_NN_CTC_BEAM_STREAM_H_
#define AURIS_NN_CTC_BEAM_STREAM_H_

#include <cstdint>
#include <vector>

namespace auris::nn {

class CtcPrefixBeamSearch;

class CtcBeamStream {
 public:
  // Back to the empty prefix at frame 0; keeps allocated capacity.
  void Reset(uint64_t scorer_start_state);
  int frames_decoded() const { return frames_decoded_; }
  int vocab_size() const { return vocab_size_; }

 private:
  friend class CtcPrefixBeamSearch;

  struct Node {
    int32_t parent = -1;         // -1 for the empty prefix
    int32_t symbol = -1;         // last symbol of the prefix
    int32_t frame = 0;           // frame where most probability mass emitted `symbol`
    double emit_log_prob = 0.0;  // that mass
    int32_t first_child = -1;    // children form a singly linked list
    int32_t next_sibling = -1;
    uint64_t scorer_state = 0;
    double scorer_score = 0.0;  // cumulative CtcScorer log-score of the prefix
  };
  struct Hypothesis {
    int32_t node = 0;
    double log_blank = 0.0;      // log P(prefix, path ends in blank)
    double log_non_blank = 0.0;  // log P(prefix, path ends in its last symbol)
  };
  struct Candidate {
    int32_t parent = -1;
    int32_t symbol = -1;
    int32_t node = -1;  // existing node for this prefix, -1 until materialised
    double log_blank;
    double log_non_blank;
    uint64_t scorer_state = 0;
    double scorer_score = 0.0;
    int32_t emit_frame = 0;
    double emit_log_prob;  // largest mass that entered by emitting `symbol`
    double rank_score = 0.0;
  };

  std::vector<Node> nodes_;
  std::vector<Hypothesis> beam_;
  std::vector<Candidate> candidates_;
  // Open-addressing table (parent, symbol) -> candidate; a power of two >= 2x the most
  // candidates a frame can make, sized on the first chunk. -1 marks an empty slot.
  std::vector<uint64_t> slot_keys_;
  std::vector<int32_t> slot_candidates_;
  std::vector<uint32_t> used_slots_;
  std::vector<int32_t> frame_symbols_;
  std::vector<int32_t> order_;
  int frames_decoded_ = 0;
  int vocab_size_ = -1;  // fixed by the first chunk
};

}  // namespace auris::nn

#endif  // AURIS_NN_CTC_BEAM_STREAM_H_
