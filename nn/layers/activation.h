// Element-wise and per-frame activations: relu, leaky_relu, tanh, sigmoid, gelu (erf form,
// as torch.nn.functional.gelu), and softmax / log_softmax over channels.
// (N, T, C) -> (N, T, C). Stateless, no weights; immutable, Forward is thread-safe.
// The optimized kernel computes tanh and sigmoid with nn/fast_math.h (max abs error 1e-7);
// the reference kernel uses exact std:: math. The other kinds have one kernel (the compiler
// vectorizes the element-wise loops).
#ifndef AURIS_NN_LAYERS_ACTIVATION_H_
#define AURIS_NN_LAYERS_ACTIVATION_H_

#include <optional>
#include <string_view>

#include "nn/layers/layer.h"

namespace auris::nn {

class Activation : public Layer {
 public:
  enum class Kind { kRelu, kLeakyRelu, kTanh, kSigmoid, kGelu, kSoftmax, kLogSoftmax };
  struct Options {
    Kind kind = Kind::kRelu;
    float negative_slope = 0.01f;  // leaky_relu only
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Activation(const Options& options) : options_(options) {}

  // The layer-list type name ("relu", "log_softmax", ...) and back; nullopt if unknown.
  static std::string_view KindName(Kind kind);
  static std::optional<Kind> ParseKind(std::string_view name);

  std::string_view type() const override { return KindName(options_.kind); }
  absl::Status Load(const TensorMap& weights) override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  Options options_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_ACTIVATION_H_
