#include "nn/workspace.h"

#include <algorithm>
#include <cstring>

namespace auris::nn {
namespace {

constexpr std::size_t kAlignFloats = kTensorAlignment / sizeof(float);

std::size_t RoundUp(std::size_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

}  // namespace

Workspace::Workspace(std::size_t initial_floats) {
  blocks_.reserve(8);
  if (initial_floats > 0) AddBlock(RoundUp(initial_floats));
}

void Workspace::AddBlock(std::size_t floats) {
  Block b;
  b.data.reset(AllocateAligned(floats));
  b.size = floats;
  blocks_.push_back(std::move(b));
  ++heap_allocations_;
}

TensorView Workspace::Allocate(const Shape& shape) {
  const std::size_t n = RoundUp(static_cast<std::size_t>(shape.NumElements()));
  while (block_ < blocks_.size() && used_ + n > blocks_[block_].size) {
    ++block_;
    used_ = 0;
  }
  if (block_ == blocks_.size()) {
    AddBlock(std::max<std::size_t>(n, blocks_.empty() ? 4096 : blocks_.back().size));
    used_ = 0;
  }
  float* p = blocks_[block_].data.get() + used_;
  used_ += n;
  step_used_ += n;
  peak_ = std::max(peak_, step_used_);
  return {p, shape};
}

TensorView Workspace::AllocateZeros(const Shape& shape) {
  TensorView v = Allocate(shape);
  if (v.size() > 0) std::memset(v.data, 0, sizeof(float) * v.size());
  return v;
}

void Workspace::Reset() {
  if (blocks_.size() > 1 || (!blocks_.empty() && blocks_[0].size < peak_)) {
    blocks_.clear();
    AddBlock(peak_);
  }
  block_ = 0;
  used_ = 0;
  step_used_ = 0;
}

std::size_t Workspace::capacity_floats() const {
  std::size_t total = 0;
  for (const Block& b : blocks_) total += b.size;
  return total;
}

}  // namespace auris::nn
