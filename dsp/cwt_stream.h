// Streaming form of Cwt: per-stream state over a shared, immutable Cwt. Input is processed in
// hops of block_size samples by overlap-save: each hop runs one real FFT of length
// cwt.stream_fft_size() over [c - support, c + block_size + support) and emits the
// block_size columns starting at c. Overlap (kept context) = 2 * support() samples: support()
// samples of left context plus support() samples of look-ahead, so column t is emitted once
// sample t + support() (rounded up to the end of its block) has arrived.
// Edges: the stream sees zeros before the first sample and, at Flush, after the last one; the
// whole-signal Cwt::Transform wraps around instead. Columns in [support, T - support) agree
// to about support_tolerance (relative to the peak); the edges differ.
// Not thread-safe; buffers are allocated in Create, and Accept allocates only when one call
// completes more than one block.
#ifndef AURIS_DSP_CWT_STREAM_H_
#define AURIS_DSP_CWT_STREAM_H_

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "dsp/cwt.h"
#include "dsp/fft_plan.h"

namespace auris::dsp {

class CwtStream {
 public:
  static absl::StatusOr<std::unique_ptr<CwtStream>> Create(std::shared_ptr<const Cwt> cwt);

  // Overwrites `columns` with the columns completed by `samples`, (num_scales, n) row-major,
  // and returns n (a multiple of block_size; columns are consecutive across calls).
  int Accept(std::span<const float> samples, std::vector<float>* columns);
  // End of input: zero-pads, writes the columns of every remaining received sample in the same
  // layout, returns their count, then resets.
  int Flush(std::vector<float>* columns);
  void Reset();

  // Bytes of per-stream state (sample history, FFT and output buffers).
  std::size_t StateBytes() const;
  const Cwt& cwt() const { return *cwt_; }

 private:
  CwtStream(std::shared_ptr<const Cwt> cwt, std::shared_ptr<const FftPlan> plan);
  // Transforms history_[0, block + 2 support) into block_ (num_scales, block_size) and drops
  // the oldest block_size samples.
  void ProcessBlock();
  void CopyColumns(int count, int offset, int total, std::vector<float>* columns) const;

  std::shared_ptr<const Cwt> cwt_;
  std::shared_ptr<const FftPlan> plan_;
  int block_ = 0;
  int support_ = 0;
  std::vector<float> history_;  // starts at sample emitted_ - support_; capacity block + 2 support
  long long received_ = 0;      // samples since Reset
  long long emitted_ = 0;       // columns since Reset
  std::vector<float> block_out_;  // (num_scales, block_size)
  AlignedFloats fft_in_;
  AlignedComplex spectrum_;
  AlignedComplex scratch_;
  AlignedFloats re_;
  AlignedFloats im_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_CWT_STREAM_H_
