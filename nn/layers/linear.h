// Linear (torch.nn.Linear): (N, T, in_features) -> (N, T, out_features), y = x W^T + b.
// Weights: "weight" (out, in), optional "bias" (out). Stateless; immutable after Load.
#ifndef AURIS_NN_LAYERS_LINEAR_H_
#define AURIS_NN_LAYERS_LINEAR_H_

#include <cstdint>

#include "nn/layers/layer.h"

namespace auris::nn {

class Linear : public Layer {
 public:
  struct Options {
    int64_t in_features = 0;
    int64_t out_features = 0;
    bool bias = true;
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Linear(const Options& options) : options_(options) {}

  std::string_view type() const override { return "linear"; }
  absl::Status Load(const TensorMap& weights) override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

  // Folds a per-output-channel affine map y -> scale * y + shift (an inference BatchNorm)
  // into the loaded weights and bias, so Forward then computes it at no extra cost. Call after
  // Load; scale and shift are (out_features), else INVALID_ARGUMENT. Not thread-safe: use it while
  // building the layer, before any Forward.
  absl::Status FoldAffine(ConstTensorView scale, ConstTensorView shift);

 private:
  Options options_;
  Tensor weight_;  // (out, in)
  Tensor bias_;    // (out), zeros without bias
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_LINEAR_H_
