// Conv2d over (time, frequency) of a spectrogram-like input (torch.nn.Conv2d on (N, C, T, F)),
// with channels-last activations whose features are channel-major, frequency-minor:
//   in  (N, T, in_channels * freq), feature c * freq + f: torch x.reshape(N, T, C, F)
//       .permute(0, 2, 1, 3) is the (N, C, T, F) input;
//   out (N, T_out, out_channels * freq_out), feature o * freq_out + f: torch
//       y.permute(0, 2, 1, 3).reshape(N, T_out, -1) of the (N, C', T', F') output.
// Time is causal: (kernel_time - 1) * dilation_time zero frames on the left, none on the right,
// ceil(T / stride_time) output frames; the state (per stream, from InitState) keeps the left
// context so chunked input equals whole-sequence input. Frequency takes zero padding
// `padding_freq` on both sides, stride and dilation:
// freq_out = (freq + 2 * padding_freq - dilation_freq * (kernel_freq - 1) - 1) / stride_freq + 1.
// Weights: "weight" (out_channels, in_channels, kernel_time, kernel_freq), optional "bias"
// (out_channels). Immutable after Load; Forward is const and thread-safe across states.
#ifndef AURIS_NN_LAYERS_CONV2D_H_
#define AURIS_NN_LAYERS_CONV2D_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class Conv2d : public Layer {
 public:
  struct Options {
    int64_t in_channels = 0;
    int64_t out_channels = 0;
    int64_t freq = 0;  // input frequency bins F
    int64_t kernel_time = 1;
    int64_t kernel_freq = 1;
    int64_t stride_time = 1;
    int64_t stride_freq = 1;
    int64_t dilation_time = 1;
    int64_t dilation_freq = 1;
    int64_t padding_freq = 0;  // zero bins each side of the frequency axis
    bool bias = true;
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Conv2d(const Options& options) : options_(options) {}

  // Output frequency bins for `o`; <= 0 when the kernel does not fit.
  static int64_t FreqOut(const Options& o);

  std::string_view type() const override { return "conv2d"; }
  absl::Status Load(const TensorMap& weights) override;
  // Left context (N, receptive_field - 1, in_channels * freq), all zero.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

  // Frames of input one output frame sees: (kernel_time - 1) * dilation_time + 1.
  int64_t receptive_field() const {
    return (options_.kernel_time - 1) * options_.dilation_time + 1;
  }

 private:
  // padded: (N, L, C_in * F), left context included -> out (N, T_out, C_out * F_out).
  void ValidConvOptimized(ConstTensorView padded, TensorView out, Workspace* ws) const;
  void ValidConvReference(ConstTensorView padded, TensorView out) const;

  Options options_;
  int64_t freq_out_ = 0;
  Tensor weight_;  // repacked (out, kernel_time, in, kernel_freq)
  Tensor bias_;    // (out), zeros without bias
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_CONV2D_H_
