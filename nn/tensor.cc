#include "nn/tensor.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"

namespace auris::nn {

Shape::Shape(std::initializer_list<int64_t> dims) {
  assert(dims.size() <= static_cast<std::size_t>(kMaxRank));
  for (const int64_t d : dims) {
    assert(d >= 0);
    dims_[rank_++] = d;
  }
}

int64_t Shape::NumElements() const {
  int64_t n = 1;
  for (int i = 0; i < rank_; ++i) n *= dims_[i];
  return n;
}

std::string Shape::ToString() const {
  std::string s = "(";
  for (int i = 0; i < rank_; ++i) absl::StrAppend(&s, i ? ", " : "", dims_[i]);
  return s + ")";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank_ != b.rank_) return false;
  for (int i = 0; i < a.rank_; ++i) {
    if (a.dims_[i] != b.dims_[i]) return false;
  }
  return true;
}

absl::Status CheckShape(const Shape& actual, const Shape& expected, const char* what) {
  if (actual == expected) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": expected shape ", expected.ToString(), ", got ", actual.ToString()));
}

float* AllocateAligned(std::size_t count) {
  const std::size_t bytes =
      ((count * sizeof(float) + kTensorAlignment - 1) / kTensorAlignment) * kTensorAlignment;
  void* p = std::aligned_alloc(kTensorAlignment, bytes == 0 ? kTensorAlignment : bytes);
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<float*>(p);
}

void FreeAligned(float* p) { std::free(p); }

void Tensor::AlignedFree::operator()(float* p) const { FreeAligned(p); }

Tensor::Tensor(const Shape& shape) : data_(AllocateAligned(shape.NumElements())), shape_(shape) {
  std::memset(data_.get(), 0, sizeof(float) * shape.NumElements());
}

Tensor Tensor::FromView(ConstTensorView view) {
  Tensor t(view.shape);
  if (view.size() > 0) std::memcpy(t.data(), view.data, sizeof(float) * view.size());
  return t;
}

absl::Status Tensor::Reshape(const Shape& shape) {
  if (shape.NumElements() != shape_.NumElements()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot reshape ", shape_.ToString(), " to ",
                                                   shape.ToString(), ": element counts differ"));
  }
  shape_ = shape;
  return absl::OkStatus();
}

}  // namespace auris::nn
