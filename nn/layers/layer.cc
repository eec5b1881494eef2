#include "nn/layers/layer.h"

#include <cblas.h>

#include <mutex>

#include "absl/strings/str_cat.h"

namespace auris::nn {

absl::StatusOr<const Tensor*> GetWeight(const TensorMap& weights, std::string_view name,
                                        const Shape& expected) {
  const auto it = weights.find(name);
  if (it == weights.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing weight '", std::string(name), "' of shape ", expected.ToString()));
  }
  const std::string what = absl::StrCat("weight '", std::string(name), "'");
  if (absl::Status s = CheckShape(it->second.shape(), expected, what.c_str()); !s.ok()) return s;
  return &it->second;
}

void SgemmNT(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
             int64_t ldb, float* c, int64_t ldc, bool accumulate) {
  static std::once_flag single_thread;
  std::call_once(single_thread, [] { openblas_set_num_threads(1); });
  if (m == 0 || n == 0) return;
  if (m == 1) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(n), static_cast<int>(k), 1.0f, b,
                static_cast<int>(ldb), a, 1, accumulate ? 1.0f : 0.0f, c, 1);
    return;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n),
              static_cast<int>(k), 1.0f, a, static_cast<int>(lda), b, static_cast<int>(ldb),
              accumulate ? 1.0f : 0.0f, c, static_cast<int>(ldc));
}

}  // namespace auris::nn
