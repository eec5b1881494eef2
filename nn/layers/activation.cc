#include "nn/layers/activation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nn/fast_math.h"

namespace auris::nn {
namespace {

constexpr std::array<std::pair<Activation::Kind, std::string_view>, 7> kNames = {{
    {Activation::Kind::kRelu, "relu"},
    {Activation::Kind::kLeakyRelu, "leaky_relu"},
    {Activation::Kind::kTanh, "tanh"},
    {Activation::Kind::kSigmoid, "sigmoid"},
    {Activation::Kind::kGelu, "gelu"},
    {Activation::Kind::kSoftmax, "softmax"},
    {Activation::Kind::kLogSoftmax, "log_softmax"},
}};

// row: C values -> softmax (or log_softmax) of them in `out`.
void SoftmaxRow(const float* row, int64_t c, bool log, float* out) {
  float max = -INFINITY;
  for (int64_t j = 0; j < c; ++j) max = std::max(max, row[j]);
  double sum = 0.0;
  for (int64_t j = 0; j < c; ++j) sum += std::exp(static_cast<double>(row[j] - max));
  if (log) {
    const float log_sum = static_cast<float>(std::log(sum));
    for (int64_t j = 0; j < c; ++j) out[j] = row[j] - max - log_sum;
    return;
  }
  const double inv = 1.0 / sum;
  for (int64_t j = 0; j < c; ++j) {
    out[j] = static_cast<float>(std::exp(static_cast<double>(row[j] - max)) * inv);
  }
}

}  // namespace

std::string_view Activation::KindName(Kind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "?";
}

std::optional<Activation::Kind> Activation::ParseKind(std::string_view name) {
  for (const auto& [k, n] : kNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

absl::Status Activation::Load(const TensorMap& /*weights*/) { return absl::OkStatus(); }

absl::StatusOr<TensorView> Activation::Forward(ConstTensorView in, LayerState* /*state*/,
                                               Workspace* ws) const {
  if (in.shape.rank() != 3) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(type()), " input: expected shape (N, T, C), got ", in.shape.ToString()));
  }
  TensorView out = ws->Allocate(in.shape);
  const int64_t size = in.size();
  const float* x = in.data;
  float* y = out.data;
  switch (options_.kind) {
    case Kind::kRelu:
      for (int64_t i = 0; i < size; ++i) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
      break;
    case Kind::kLeakyRelu: {
      const float slope = options_.negative_slope;
      for (int64_t i = 0; i < size; ++i) y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
      break;
    }
    case Kind::kTanh:
      if (options_.impl == KernelImpl::kOptimized) {
        FastTanh(x, y, size);
        break;
      }
      for (int64_t i = 0; i < size; ++i) y[i] = std::tanh(x[i]);
      break;
    case Kind::kSigmoid:
      if (options_.impl == KernelImpl::kOptimized) {
        FastSigmoid(x, y, size);
        break;
      }
      for (int64_t i = 0; i < size; ++i) y[i] = 1.0f / (1.0f + std::exp(-x[i]));
      break;
    case Kind::kGelu: {
      constexpr float kInvSqrt2 = 0.70710678118654752f;
      for (int64_t i = 0; i < size; ++i) y[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * kInvSqrt2));
      break;
    }
    case Kind::kSoftmax:
    case Kind::kLogSoftmax: {
      const int64_t c = in.shape[2];
      const int64_t rows = in.shape[0] * in.shape[1];
      for (int64_t r = 0; r < rows; ++r) {
        SoftmaxRow(x + r * c, c, options_.kind == Kind::kLogSoftmax, y + r * c);
      }
      break;
    }
  }
  return out;
}

}  // namespace auris::nn
