// LayerNorm over channels (torch.nn.LayerNorm(C), biased variance):
// (N, T, C) -> (N, T, C), y = (x - mean) / sqrt(var + eps) * weight + bias per frame.
// Weights: "weight" (C), "bias" (C). Stateless; immutable after Load, Forward thread-safe.
// One kernel (a two-pass loop per frame); there is no separate reference version.
#ifndef AURIS_NN_LAYERS_LAYER_NORM_H_
#define AURIS_NN_LAYERS_LAYER_NORM_H_

#include <cstdint>

#include "nn/layers/layer.h"

namespace auris::nn {

class LayerNorm : public Layer {
 public:
  struct Options {
    int64_t num_features = 0;
    float eps = 1e-5f;
  };
  explicit LayerNorm(const Options& options) : options_(options) {}

  std::string_view type() const override { return "layernorm"; }
  absl::Status Load(const TensorMap& weights) override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  Options options_;
  Tensor weight_;  // (C)
  Tensor bias_;    // (C)
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_LAYER_NORM_H_
