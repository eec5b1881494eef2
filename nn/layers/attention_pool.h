// Attention pooling over time, causal and streaming: (N, T, C) -> (N, T, C), where output
// frame t is the attention-weighted mean of every input frame seen so far (this chunk and
// all earlier ones):  y_t = sum_{s<=t} softmax_s(score) x_s,  softmax over frames 0..t.
//   score_s = v . tanh(W x_s + b)   with attention_dim A > 0: "proj.weight" (A, C),
//                                   "proj.bias" (A), "score.weight" (1, A);
//   score_s = w . x_s               with attention_dim 0: "score.weight" (1, C).
// The last output frame is the whole-sequence pooled vector. The state (per stream, from
// InitState) keeps the running max score m, the denominator sum exp(score - m) and the
// numerator sum exp(score - m) x (C), so chunked input equals whole-sequence input.
// Immutable after Load; Forward is const and thread-safe across distinct states.
#ifndef AURIS_NN_LAYERS_ATTENTION_POOL_H_
#define AURIS_NN_LAYERS_ATTENTION_POOL_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class AttentionPool : public Layer {
 public:
  struct Options {
    int64_t in_features = 0;    // C
    int64_t attention_dim = 0;  // A; 0: a single linear score
    KernelImpl impl = KernelImpl::kOptimized;
  };
  explicit AttentionPool(const Options& options) : options_(options) {}

  std::string_view type() const override { return "attention_pool"; }
  absl::Status Load(const TensorMap& weights) override;
  // Nothing seen yet: max -inf, sums zero. Output before any frame is never produced.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  // scores: (N * T) scores of the frames of `in`.
  void ScoresOptimized(ConstTensorView in, float* scores, Workspace* ws) const;
  void ScoresReference(ConstTensorView in, float* scores) const;

  Options options_;
  Tensor proj_w_;   // (A, C); empty when A = 0
  Tensor proj_b_;   // (A)
  Tensor score_w_;  // (A) or (C)
};

// Running softmax sums of an AttentionPool for N streams.
class AttentionPoolState : public LayerState {
 public:
  AttentionPoolState(int64_t batch, int64_t channels);
  void CopyStream(const LayerState& src, int64_t from, int64_t to) override;
  Tensor max;  // (N) largest score seen, -inf before the first frame
  Tensor den;  // (N) sum exp(score - max)
  Tensor num;  // (N, C) sum exp(score - max) x
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_ATTENTION_POOL_H_
