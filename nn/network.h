// A runnable network built from a model file's layer list (models/recipes/common/netspec.py):
// (N, T, input_channels) -> (N, T_out, output_channels), the layers applied in order.
// Network holds the weights and is immutable after Load: Forward is const and thread-safe
// across distinct NetworkStates (ARCHITECTURE §6: model vs stream). NetworkState holds every
// per-stream mutable thing (conv left context, pool leftovers, LSTM h/c) for a batch of N
// streams; it is used by one thread at a time.
// Streaming: with causal convolutions (the default) chunked Forward calls give exactly the
// outputs of one whole-sequence call; a conv1d with "causal": false needs the whole sequence
// in one call. BatchNorm entries are folded into the preceding conv1d/linear at load.
#ifndef AURIS_NN_NETWORK_H_
#define AURIS_NN_NETWORK_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/layers/layer.h"
#include "nn/model_file.h"
#include "nn/model_metadata.h"
#include "nn/tensor.h"
#include "nn/workspace.h"

namespace auris::nn {

class Network;

// Opaque per-stream state of a Network (all layer states) for a batch of N streams.
// Created by Network::InitState / Stack; owned by the stream (or the batching worker).
class NetworkState {
 public:
  int64_t batch() const { return batch_; }

 private:
  friend class Network;
  NetworkState(const Network* owner, int64_t batch, std::vector<std::unique_ptr<LayerState>> layers)
      : owner_(owner), batch_(batch), layers_(std::move(layers)) {}

  const Network* owner_;  // states only work with the network that made them
  int64_t batch_;
  std::vector<std::unique_ptr<LayerState>> layers_;  // per runtime layer; nullptr if stateless
};

// Network::Options (defined outside the class so that `= {}` default arguments compile).
struct NetworkOptions {
  KernelImpl impl = KernelImpl::kOptimized;  // kReference: naive kernels, for tests/benches
};

class Network {
 public:
  using Options = NetworkOptions;

  // Loads the model file at `path` and builds its layer list. NOT_FOUND when it cannot be
  // read; INVALID_ARGUMENT naming layers[i], the field or tensor, and what is allowed.
  static absl::StatusOr<std::unique_ptr<Network>> Load(const std::string& path,
                                                       const Options& options = {});
  // Same over an already parsed file (its tensors are moved into the network).
  static absl::StatusOr<std::unique_ptr<Network>> FromModelFile(ModelFile file,
                                                                const Options& options = {});

  const ModelMetadata& metadata() const { return metadata_; }
  // Tensors of the file that belong to no layer (e.g. "cmvn.mean", "cmvn.std"), by name.
  const TensorMap& extra_tensors() const { return extra_tensors_; }
  int64_t input_channels() const { return input_channels_; }
  int64_t output_channels() const { return output_channels_; }
  // Input frames per output frame (the product of the strides).
  int64_t subsampling() const { return subsampling_; }
  // Input frames one output frame depends on, as netspec.receptive_field (LSTM memory aside).
  int64_t receptive_field() const { return receptive_field_; }

  // Fresh state for `batch` >= 1 streams (zero context, zero h/c).
  std::unique_ptr<NetworkState> InitState(int64_t batch = 1) const;
  // in: (N, T, input_channels) -> (N, T_out, output_channels), allocated from `ws` (valid
  // until its Reset). `state` from InitState(N) (or Stack) is advanced. T may be any length,
  // 0 included; T_out is what the layers' streaming arithmetic yields (floor-type per
  // layer), and summed over chunked calls equals the whole-sequence call's.
  absl::StatusOr<TensorView> Forward(ConstTensorView in, NetworkState* state, Workspace* ws) const;

  // Batching: one state holding the streams of `states` in order (batch = sum of theirs;
  // each is usually a single stream), copying h/c, conv context and pool leftovers. All
  // states must hold the same pending frames in every layer (fed the same number of frames
  // modulo the strides), else FAILED_PRECONDITION saying which layer and state differ.
  absl::StatusOr<std::unique_ptr<NetworkState>> Stack(std::span<NetworkState* const> states) const;
  // As Stack, into an existing `batched` state of this network (from InitState or Stack) whose
  // batch is the sum of theirs (else INVALID_ARGUMENT): a worker reuses it and allocates nothing.
  absl::Status StackInto(std::span<NetworkState* const> states, NetworkState* batched) const;
  // The inverse: copies consecutive streams of `batched` back into `states`, whose batch
  // sizes must add up to batched.batch() (else INVALID_ARGUMENT).
  absl::Status Unstack(const NetworkState& batched, std::span<NetworkState* const> states) const;

  // Runtime layers after expansion (k per k-layer LSTM) and folding (no batchnorm).
  int64_t num_runtime_layers() const { return static_cast<int64_t>(steps_.size()); }

 private:
  struct Step {
    std::unique_ptr<Layer> layer;
    std::string where;  // "layers[i] (\"name\", type)" for messages
  };
  Network() = default;
  absl::Status CheckState(const NetworkState& state, const char* what) const;

  ModelMetadata metadata_;
  TensorMap extra_tensors_;
  std::vector<Step> steps_;
  int64_t input_channels_ = 0;
  int64_t output_channels_ = 0;
  int64_t subsampling_ = 1;
  int64_t receptive_field_ = 1;
};

}  // namespace auris::nn

#endif  // AURIS_NN_NETWORK_H_
