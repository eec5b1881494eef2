// Conv1d over time (torch.nn.Conv1d semantics, channels-last activations):
// (N, T, in_channels) -> (N, T_out, out_channels), with stride, dilation, zero padding and
// groups. Weights: "weight" (out, in / groups, kernel_size), optional "bias" (out).
// Non-causal mode pads `padding` frames on both sides and needs the whole sequence.
// Causal mode pads (kernel_size - 1) * dilation frames on the left only and streams: the
// state (per stream, from InitState) keeps the unconsumed left context, so feeding a
// sequence chunk by chunk yields exactly the whole-sequence output, ceil(T / stride) frames
// in all. Immutable after Load; Forward is const and thread-safe across distinct states.
#ifndef AURIS_NN_LAYERS_CONV1D_H_
#define AURIS_NN_LAYERS_CONV1D_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class Conv1d : public Layer {
 public:
  struct Options {
    int64_t in_channels = 0;
    int64_t out_channels = 0;
    int64_t kernel_size = 1;
    int64_t stride = 1;
    int64_t dilation = 1;
    int64_t padding = 0;  // frames each side; must be 0 when causal
    int64_t groups = 1;
    bool bias = true;
    bool causal = false;
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Conv1d(const Options& options) : options_(options) {}

  std::string_view type() const override { return "conv1d"; }
  absl::Status Load(const TensorMap& weights) override;
  // Causal mode only; nullptr otherwise.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

  // Folds a per-output-channel affine map y -> scale * y + shift (an inference BatchNorm)
  // into the loaded weights and bias, so Forward then computes it at no extra cost. Call after
  // Load; scale and shift are (out_channels), else INVALID_ARGUMENT. Not thread-safe: use it while
  // building the layer, before any Forward.
  absl::Status FoldAffine(ConstTensorView scale, ConstTensorView shift);

  // Frames of input one output frame sees: (kernel_size - 1) * dilation + 1.
  int64_t receptive_field() const { return (options_.kernel_size - 1) * options_.dilation + 1; }

 private:
  // padded: (N, L, C_in) already padded -> out (N, T_out, C_out).
  void ValidConvOptimized(ConstTensorView padded, TensorView out, Workspace* ws) const;
  void ValidConvReference(ConstTensorView padded, TensorView out) const;

  Options options_;
  Tensor weight_;  // repacked (out, kernel_size, in / groups)
  Tensor bias_;    // (out), zeros without bias
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_CONV1D_H_
