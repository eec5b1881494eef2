// Uniform interface of the inference layers (ncnn-style: one layer per file pair, a naive
// reference kernel next to each optimized one). Activations are (N, T, C) float32.
// A Layer is immutable after Load(): Forward is const, so one instance serves many threads.
// Everything mutable per stream (conv left context, LSTM h/c) lives in a LayerState owned by
// the stream; scratch and outputs come from the caller's Workspace (valid until its Reset).
#ifndef AURIS_NN_LAYERS_LAYER_H_
#define AURIS_NN_LAYERS_LAYER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/tensor.h"
#include "nn/workspace.h"

namespace auris::nn {

// Weights by PyTorch state_dict name ("weight", "bias", "weight_ih_l0", ...).
using TensorMap = std::map<std::string, Tensor, std::less<>>;

// Which kernel Forward runs. kReference is the naive loop version used by tests/benchmarks.
enum class KernelImpl { kOptimized, kReference };

// Per-stream mutable state of one layer, shaped for a batch of N streams. Batching
// (Network::Stack/Unstack) copies streams between states of the same layer.
class LayerState {
 public:
  virtual ~LayerState() = default;
  // Input frames held back for the next call, the same for every stream of the batch (conv
  // context, pool leftovers); 0 when none. Only states with equal counts can be stacked.
  virtual int64_t pending_frames() const { return 0; }
  // Copies stream `from` of `src` (a state of the same layer, any batch size) into stream
  // `to` of this state, and takes over src's pending_frames().
  virtual void CopyStream(const LayerState& src, int64_t from, int64_t to) = 0;
};

class Layer {
 public:
  virtual ~Layer() = default;

  virtual std::string_view type() const = 0;
  // Copies (and repacks) the named weights; INVALID_ARGUMENT naming the tensor and the
  // expected and actual shapes when one is missing or misshapen.
  virtual absl::Status Load(const TensorMap& weights) = 0;
  // Fresh (zero) state for `batch` streams; nullptr for stateless layers.
  virtual std::unique_ptr<LayerState> InitState(int64_t batch) const {
    (void)batch;
    return nullptr;
  }
  // in: (N, T, C_in) -> output (N, T', C_out) allocated from `ws`. `state` must come from
  // InitState(N) for stateful layers (nullptr allowed for stateless ones).
  virtual absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                             Workspace* ws) const = 0;
};

// Looks up `name` in `weights` and checks its shape.
absl::StatusOr<const Tensor*> GetWeight(const TensorMap& weights, std::string_view name,
                                        const Shape& expected);

// C(M, N) = A(M, K) * B(N, K)^T [+ C when accumulate], row-major, with leading dimensions.
// OpenBLAS sgemm (sgemv when M = 1). Sets OpenBLAS to one thread (process-wide) on first
// use: the server parallelises across streams, not inside a call.
void SgemmNT(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
             int64_t ldb, float* c, int64_t ldc, bool accumulate);

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_LAYER_H_
