// Real FFT plans (FFTW single precision) of one size n, shared process-wide through a cache.
// Plans are created once per size under a global lock; Forward/Inverse are const and
// thread-safe. Buffers passed in must come from AlignedFloats / AlignedComplex (SIMD aligned).
#ifndef AURIS_DSP_FFT_PLAN_H_
#define AURIS_DSP_FFT_PLAN_H_

#include <complex>
#include <cstddef>
#include <memory>
#include <span>

#include "absl/status/statusor.h"

namespace auris::dsp {

struct FftwFree {
  void operator()(void* p) const;
};

// fftwf_malloc'd array of `size` elements, zero-initialised; owns its memory.
template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(std::size_t size);
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_.get()[i]; }
  const T& operator[](std::size_t i) const { return data_.get()[i]; }
  std::span<T> span() { return {data_.get(), size_}; }
  std::span<const T> span() const { return {data_.get(), size_}; }

 private:
  std::unique_ptr<T[], FftwFree> data_;
  std::size_t size_ = 0;
};

using AlignedFloats = AlignedBuffer<float>;
using AlignedComplex = AlignedBuffer<std::complex<float>>;

class FftPlan {
 public:
  // Shared plan for real length n (n >= 2); never freed before process exit.
  static absl::StatusOr<std::shared_ptr<const FftPlan>> Get(int n);

  int size() const { return n_; }
  int num_bins() const { return n_ / 2 + 1; }
  // in: n real samples -> out: n/2+1 bins, unnormalised (sum x[t] e^{-i 2 pi k t / n}).
  void Forward(const AlignedFloats& in, AlignedComplex* out) const;
  // Same on raw pointers; both must be IsAligned (in: n floats, out: n/2+1 bins).
  void Forward(const float* in, std::complex<float>* out) const;
  // True if `p` has the SIMD alignment of fftwf_malloc'd memory, as the plans require.
  static bool IsAligned(const void* p);
  // in: n/2+1 bins -> out: n samples scaled by n (FFTW convention). Overwrites `in`.
  void Inverse(AlignedComplex* in, AlignedFloats* out) const;

  ~FftPlan();
  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;

 private:
  struct Plans;
  FftPlan(int n, std::unique_ptr<Plans> plans);
  int n_;
  std::unique_ptr<Plans> plans_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_FFT_PLAN_H_
