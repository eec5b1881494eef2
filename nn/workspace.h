// Per-stream (or per-worker) scratch arena for layer Forward calls: a bump allocator that is
// Reset() once per step. Storage grows during warm-up; once a step's peak is known, further
// steps of the same shapes allocate nothing from the heap (heap_allocations() stays fixed).
// Views handed out stay valid until the next Reset(). Not thread-safe: one owner at a time.
#ifndef AURIS_NN_WORKSPACE_H_
#define AURIS_NN_WORKSPACE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "nn/tensor.h"

namespace auris::nn {

class Workspace {
 public:
  // `initial_floats`: capacity reserved up front (0 = grow on first use).
  explicit Workspace(std::size_t initial_floats = 0);

  // Uninitialised 64-byte aligned storage for `shape`, valid until Reset().
  TensorView Allocate(const Shape& shape);
  // As Allocate, zero-filled.
  TensorView AllocateZeros(const Shape& shape);
  // Releases every view at once. If the last step overflowed into extra blocks, merges them
  // into one block sized for that peak so the next step fits without allocating.
  void Reset();

  std::size_t capacity_floats() const;
  std::size_t peak_floats() const { return peak_; }
  int64_t heap_allocations() const { return heap_allocations_; }

 private:
  struct Block {
    std::unique_ptr<float, void (*)(float*)> data{nullptr, &FreeAligned};
    std::size_t size = 0;  // floats
  };
  void AddBlock(std::size_t floats);

  std::vector<Block> blocks_;
  std::size_t block_ = 0;  // index of the block being bumped
  std::size_t used_ = 0;   // floats used in blocks_[block_]
  std::size_t step_used_ = 0;
  std::size_t peak_ = 0;
  int64_t heap_allocations_ = 0;
};

}  // namespace auris::nn

#endif  // AURIS_NN_WORKSPACE_H_
