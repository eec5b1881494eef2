// Float32 tensors of up to 4 dims with 64-byte aligned storage. Activations use (N, T, C):
// batch, time frames, channels, row-major with channels contiguous.
// Tensor owns its storage (move-only; Clone() copies). Views never own and must not outlive
// the storage they point into. Not thread-safe for writes; concurrent reads are fine.
#ifndef AURIS_NN_TENSOR_H_
#define AURIS_NN_TENSOR_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/status.h"

namespace auris::nn {

inline constexpr std::size_t kTensorAlignment = 64;  // bytes

class Shape {
 public:
  static constexpr int kMaxRank = 4;

  Shape() = default;
  // Dims must be >= 0 and at most kMaxRank of them (checked with assert).
  Shape(std::initializer_list<int64_t> dims);

  int rank() const { return rank_; }
  int64_t dim(int i) const { return dims_[i]; }
  int64_t operator[](int i) const { return dims_[i]; }
  int64_t NumElements() const;
  // "(2, 100, 64)".
  std::string ToString() const;

  friend bool operator==(const Shape& a, const Shape& b);
  friend bool operator!=(const Shape& a, const Shape& b) { return !(a == b); }

 private:
  std::array<int64_t, kMaxRank> dims_{};
  int rank_ = 0;
};

// INVALID_ARGUMENT "<what>: expected shape X, got Y" unless `actual == expected`.
absl::Status CheckShape(const Shape& actual, const Shape& expected, const char* what);

// Non-owning views: a pointer to contiguous row-major data plus its shape.
struct TensorView {
  float* data = nullptr;
  Shape shape;
  int64_t size() const { return shape.NumElements(); }
};

struct ConstTensorView {
  ConstTensorView() = default;
  ConstTensorView(const float* d, Shape s) : data(d), shape(s) {}
  ConstTensorView(const TensorView& v) : data(v.data), shape(v.shape) {}  // NOLINT: implicit
  const float* data = nullptr;
  Shape shape;
  int64_t size() const { return shape.NumElements(); }
};

class Tensor {
 public:
  Tensor() = default;
  // Zero-filled tensor of `shape`.
  explicit Tensor(const Shape& shape);
  Tensor(Tensor&&) noexcept = default;
  Tensor& operator=(Tensor&&) noexcept = default;
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;

  static Tensor FromView(ConstTensorView view);
  Tensor Clone() const { return FromView(view()); }

  const Shape& shape() const { return shape_; }
  int64_t size() const { return shape_.NumElements(); }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float& operator[](int64_t i) { return data_.get()[i]; }
  float operator[](int64_t i) const { return data_.get()[i]; }

  TensorView view() { return {data(), shape_}; }
  ConstTensorView view() const { return {data(), shape_}; }
  // Same storage, new shape with the same number of elements (checked).
  absl::Status Reshape(const Shape& shape);

 private:
  struct AlignedFree {
    void operator()(float* p) const;
  };
  std::unique_ptr<float, AlignedFree> data_;
  Shape shape_;
};

// Allocates `count` floats aligned to kTensorAlignment; release with FreeAligned.
float* AllocateAligned(std::size_t count);
void FreeAligned(float* p);

}  // namespace auris::nn

#endif  // AURIS_NN_TENSOR_H_
