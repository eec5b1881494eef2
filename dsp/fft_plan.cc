#include "dsp/fft_plan.h"

#include <fftw3.h>

#include <cstring>
#include <map>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace auris::dsp {
namespace {

std::mutex& PlannerMutex() {
  static auto* mu = new std::mutex;
  return *mu;
}

std::map<int, std::shared_ptr<const FftPlan>>& PlanCache() {
  static auto* cache = new std::map<int, std::shared_ptr<const FftPlan>>;
  return *cache;
}

fftwf_complex* AsFftw(std::complex<float>* p) { return reinterpret_cast<fftwf_complex*>(p); }

}  // namespace

void FftwFree::operator()(void* p) const { fftwf_free(p); }

template <typename T>
AlignedBuffer<T>::AlignedBuffer(std::size_t size)
    : data_(static_cast<T*>(fftwf_malloc(sizeof(T) * (size > 0 ? size : 1)))), size_(size) {
  std::memset(static_cast<void*>(data_.get()), 0, sizeof(T) * size);
}

template class AlignedBuffer<float>;
template class AlignedBuffer<std::complex<float>>;

struct FftPlan::Plans {
  fftwf_plan forward = nullptr;
  fftwf_plan inverse = nullptr;
  ~Plans() {
    if (forward != nullptr) fftwf_destroy_plan(forward);
    if (inverse != nullptr) fftwf_destroy_plan(inverse);
  }
};

FftPlan::FftPlan(int n, std::unique_ptr<Plans> plans) : n_(n), plans_(std::move(plans)) {}
FftPlan::~FftPlan() = default;

absl::StatusOr<std::shared_ptr<const FftPlan>> FftPlan::Get(int n) {
  if (n < 2 || n > (1 << 24)) {
    return absl::InvalidArgumentError(absl::StrCat("FFT size ", n, " outside 2..16777216"));
  }
  std::lock_guard<std::mutex> lock(PlannerMutex());
  auto& cache = PlanCache();
  if (auto it = cache.find(n); it != cache.end()) return it->second;
  AlignedFloats real(n);
  AlignedComplex spectrum(n / 2 + 1);
  auto plans = std::make_unique<Plans>();
  plans->forward = fftwf_plan_dft_r2c_1d(n, real.data(), AsFftw(spectrum.data()), FFTW_ESTIMATE);
  plans->inverse = fftwf_plan_dft_c2r_1d(n, AsFftw(spectrum.data()), real.data(),
                                         FFTW_ESTIMATE | FFTW_DESTROY_INPUT);
  if (plans->forward == nullptr || plans->inverse == nullptr) {
    return absl::InternalError(absl::StrCat("FFTW could not plan a real FFT of size ", n));
  }
  std::shared_ptr<const FftPlan> plan(new FftPlan(n, std::move(plans)));
  cache.emplace(n, plan);
  return plan;
}

void FftPlan::Forward(const AlignedFloats& in, AlignedComplex* out) const {
  fftwf_execute_dft_r2c(plans_->forward, const_cast<float*>(in.data()), AsFftw(out->data()));
}

void FftPlan::Forward(const float* in, std::complex<float>* out) const {
  fftwf_execute_dft_r2c(plans_->forward, const_cast<float*>(in), AsFftw(out));
}

bool FftPlan::IsAligned(const void* p) {
  return fftwf_alignment_of(static_cast<float*>(const_cast<void*>(p))) == 0;
}

void FftPlan::Inverse(AlignedComplex* in, AlignedFloats* out) const {
  fftwf_execute_dft_c2r(plans_->inverse, AsFftw(in->data()), out->data());
}

}  // namespace auris::dsp
