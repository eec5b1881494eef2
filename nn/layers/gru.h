// Unidirectional single-layer GRU (torch.nn.GRU, batch_first=True, gate order r, z, n):
//   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr), z = sigmoid(W_iz x + b_iz + W_hz h + b_hz),
//   n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
// (N, T, input_size) -> (N, T, hidden_size). Weights: "weight_ih_l0" (3H, I),
// "weight_hh_l0" (3H, H), "bias_ih_l0" and "bias_hh_l0" (3H) unless bias is false
// (torch.nn.GRU(bias=False): no bias tensors, all biases zero). The state h (N, H) is per
// stream and carried across chunks, so chunked input equals whole-sequence input. The
// optimized kernel projects the whole chunk's input with one sgemm and runs one
// (N x H) x (H x 3H) sgemm per frame for all N streams; its gates use the fast
// sigmoid/tanh of nn/fast_math.h (abs error < 1e-7), the reference kernel std:: math.
// Immutable after Load.
#ifndef AURIS_NN_LAYERS_GRU_H_
#define AURIS_NN_LAYERS_GRU_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class Gru : public Layer {
 public:
  struct Options {
    int64_t input_size = 0;
    int64_t hidden_size = 0;
    bool bias = true;  // false: no "bias_ih_l0" / "bias_hh_l0", zero biases
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Gru(const Options& options) : options_(options) {}

  std::string_view type() const override { return "gru"; }
  absl::Status Load(const TensorMap& weights) override;
  // Zero h for `batch` streams.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  Options options_;
  Tensor w_ih_;  // (3H, I)
  Tensor w_hh_;  // (3H, H)
  Tensor b_ih_;  // (3H), zeros without bias
  Tensor b_hh_;  // (3H), zeros without bias; its n part stays inside r * (W_hn h + b_hn)
};

// h of a Gru for N streams, (N, H).
class GruState : public LayerState {
 public:
  GruState(int64_t batch, int64_t hidden) : h(Shape{batch, hidden}) {}
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override;
  Tensor h;
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_GRU_H_
