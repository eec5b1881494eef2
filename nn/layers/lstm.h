// Unidirectional single-layer LSTM (torch.nn.LSTM, batch_first=True, gate order i, f, g, o):
// (N, T, input_size) -> (N, T, hidden_size). Weights: "weight_ih_l0" (4H, I),
// "weight_hh_l0" (4H, H), "bias_ih_l0" and "bias_hh_l0" (4H). The state (h, c), each
// (N, H), is per stream and carried across chunks, so chunked input equals whole-sequence
// input. The optimized kernel projects the whole chunk's input with one sgemm and runs one
// (N x H) x (H x 4H) sgemm per frame for all N streams; its gates use the fast
// sigmoid/tanh of nn/fast_math.h (abs error < 1e-7), the reference kernel std:: math.
// Immutable after Load.
#ifndef AURIS_NN_LAYERS_LSTM_H_
#define AURIS_NN_LAYERS_LSTM_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class Lstm : public Layer {
 public:
  struct Options {
    int64_t input_size = 0;
    int64_t hidden_size = 0;
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit Lstm(const Options& options) : options_(options) {}

  std::string_view type() const override { return "lstm"; }
  absl::Status Load(const TensorMap& weights) override;
  // Zero h and c for `batch` streams.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  Options options_;
  Tensor w_ih_;  // (4H, I)
  Tensor w_hh_;  // (4H, H)
  Tensor bias_;  // (4H) = bias_ih + bias_hh
};

// (h, c) of an Lstm for N streams, each (N, H).
class LstmState : public LayerState {
 public:
  LstmState(int64_t batch, int64_t hidden) : h(Shape{batch, hidden}), c(Shape{batch, hidden}) {}
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override;
  Tensor h;
  Tensor c;
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_LSTM_H_
