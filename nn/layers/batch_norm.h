// Inference BatchNorm over channels (torch.nn.BatchNorm1d in eval mode, running statistics):
// (N, T, C) -> (N, T, C), y = x * scale + shift with scale = weight / sqrt(running_var + eps)
// and shift = bias - running_mean * scale. Weights: "weight", "bias", "running_mean",
// "running_var", each (C). A Network folds it into the preceding Conv1d / Linear at load
// (their FoldAffine(scale(), shift())), so it normally never runs; Forward exists for
// tests and for standalone use. Stateless; immutable after Load, Forward thread-safe.
#ifndef AURIS_NN_LAYERS_BATCH_NORM_H_
#define AURIS_NN_LAYERS_BATCH_NORM_H_

#include <cstdint>

#include "nn/layers/layer.h"

namespace auris::nn {

class BatchNorm : public Layer {
 public:
  struct Options {
    int64_t num_features = 0;
    float eps = 1e-5f;
  };
  explicit BatchNorm(const Options& options) : options_(options) {}

  std::string_view type() const override { return "batchnorm"; }
  absl::Status Load(const TensorMap& weights) override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

  // The folded per-channel affine map, each (C); valid after Load.
  ConstTensorView scale() const { return scale_.view(); }
  ConstTensorView shift() const { return shift_.view(); }

 private:
  Options options_;
  Tensor scale_;  // (C)
  Tensor shift_;  // (C)
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_BATCH_NORM_H_
