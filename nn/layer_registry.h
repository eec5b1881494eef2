// The layer types a model's layer list may use (models/recipes/common/netspec.py), by name:
// for each, the fields it accepts and a parser that validates them into a LayerPlan.
// Adding a layer type is one line in layer_registry.cc plus its parser. The registry is a
// constant table: thread-safe.
#ifndef AURIS_NN_LAYER_REGISTRY_H_
#define AURIS_NN_LAYER_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nn/layer_fields.h"
#include "nn/layers/layer.h"

namespace auris::nn {

// Largest accepted channel count, and largest kernel size / stride / dilation in frames.
inline constexpr int64_t kMaxLayerChannels = 1 << 16;
inline constexpr int64_t kMaxLayerFrames = 4096;

// One validated entry of a layer list: its geometry (for the network-level checks) and how
// to build its runtime layers.
struct LayerPlan {
  // Input channel count the entry requires and the field that sets it ("in_channels", ...,
  // or "in_channels * freq" for conv2d, whose features are channels x frequency bins);
  // 0 and "" for shape-preserving entries that take any count (activations, pools).
  int64_t in_channels = 0;
  std::string in_field;
  int64_t out_channels = 0;          // 0: same as the input
  int64_t stride = 1;                // input frames per output frame
  int64_t kernel_frames = 1;         // input frames one output frame sees (netspec.receptive_field)
  bool folds_into_previous = false;  // batchnorm: folded into the preceding conv1d/linear
  // The entry's tensors by torch name (stored as "<name>.<torch name>") with their shapes.
  std::vector<std::pair<std::string, Shape>> tensors;
  // Builds the runtime layers, loaded from `weights` (keyed by torch name, shapes already
  // checked against `tensors`); several for a multi-layer LSTM. `channels`: the resolved
  // input channel count.
  std::function<absl::StatusOr<std::vector<std::unique_ptr<Layer>>>(
      const TensorMap& weights, int64_t channels, KernelImpl impl)>
      build;
};

struct LayerType {
  std::string_view name;
  std::vector<std::string_view> fields;  // accepted besides "type" and "name"
  absl::StatusOr<LayerPlan> (*parse)(const LayerFields& fields);
};

// nullptr when `type` is not registered.
const LayerType* FindLayerType(std::string_view type);
// "attention_pool, avg_pool, batchnorm, ..." for messages.
std::string LayerTypeNames();

// Parses a layer list (JSON array text, as ModelMetadata::layers_json) into its entries,
// checking that it is a non-empty array of objects with a registered "type", a unique
// non-empty "name" without '.', and no fields but the type's. INVALID_ARGUMENT naming
// layers[i], the field and what is allowed otherwise.
absl::StatusOr<std::vector<LayerFields>> ParseLayerList(std::string_view json);

}  // namespace auris::nn

#endif  // AURIS_NN_LAYER_REGISTRY_H_
