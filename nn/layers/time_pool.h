// Non-overlapping pooling over time (kernel == stride), max or mean, per channel:
// (N, T, C) -> (N, floor(T / k), C) over a whole sequence. Streaming: the state (from
// InitState, per stream) keeps the leftover frames (< k) of the last call, so a sequence fed
// chunk by chunk yields exactly the whole-sequence output. No weights; immutable after Load,
// Forward is const and thread-safe across distinct states.
#ifndef AURIS_NN_LAYERS_TIME_POOL_H_
#define AURIS_NN_LAYERS_TIME_POOL_H_

#include <cstdint>
#include <memory>

#include "nn/layers/layer.h"

namespace auris::nn {

class TimePool : public Layer {
 public:
  enum class Kind { kMax, kAvg };
  struct Options {
    Kind kind = Kind::kMax;
    int64_t kernel_size = 1;  // frames per output frame (also the stride)
    int64_t channels = 0;     // C, needed to size the state
  };
  explicit TimePool(const Options& options) : options_(options) {}

  std::string_view type() const override {
    return options_.kind == Kind::kMax ? "max_pool" : "avg_pool";
  }
  absl::Status Load(const TensorMap& weights) override;
  // Leftover frames (N, k - 1, C), none pending.
  std::unique_ptr<LayerState> InitState(int64_t batch) const override;
  absl::StatusOr<TensorView> Forward(ConstTensorView in, LayerState* state,
                                     Workspace* ws) const override;

 private:
  Options options_;
};

}  // namespace auris::nn

#endif  // AURIS_NN_LAYERS_TIME_POOL_H_
