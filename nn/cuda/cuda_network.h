// The CUDA executor of a model file's layer list: the same (N, T, input_channels) ->
// (N, T_out, output_channels) streaming computation as nn::Network, on one GPU (device 0).
// Implemented layer types: conv1d, batchnorm (folded into the preceding conv1d / linear),
// linear, lstm, layernorm, max_pool, avg_pool, relu, leaky_relu, tanh, sigmoid, gelu,
// softmax, log_softmax (see nn/cuda/cuda_layers.h). Any other type (conv2d, gru,
// attention_pool) fails at load with UNIMPLEMENTED naming the layer; nothing runs on a
// wrong path.
// CudaNetwork holds the device weights, uploaded once at load; it is immutable afterwards
// and Forward is const and thread-safe across distinct states. CudaNetworkState owns
// everything per stream batch on the device (conv context, pool leftovers, LSTM h/c) plus
// its own CUDA stream, cuBLAS handle and scratch arena; one thread at a time.
#ifndef AURIS_NN_CUDA_CUDA_NETWORK_H_
#define AURIS_NN_CUDA_CUDA_NETWORK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nn/cuda/cuda_layers.h"
#include "nn/cuda/cuda_util.h"
#include "nn/model_file.h"
#include "nn/tensor.h"
#include "nn/workspace.h"

namespace auris::nn::cuda {

class CudaNetwork;

// Device state of a CudaNetwork for `batch` streams; from CudaNetwork::InitState.
class CudaNetworkState {
 public:
  int64_t batch() const { return batch_; }

 private:
  friend class CudaNetwork;
  CudaNetworkState() = default;

  const CudaNetwork* owner_ = nullptr;
  int64_t batch_ = 0;
  StreamHandle stream_;
  CublasHandle cublas_;
  DeviceArena arena_;
  std::vector<std::unique_ptr<CudaLayerState>> layers_;  // per runtime layer; null if stateless
};

class CudaNetwork {
 public:
  // Loads the model file at `path` (NOT_FOUND / INVALID_ARGUMENT as Network::Load).
  static absl::StatusOr<std::unique_ptr<CudaNetwork>> Load(const std::string& path);
  // Builds from a parsed file (copied; `file` is not changed). In order: FAILED_PRECONDITION
  // from CheckBackendAvailable(kCuda) when no device is usable; the CPU loader's
  // INVALID_ARGUMENT for a malformed file; UNIMPLEMENTED from CheckSupported; INTERNAL for a
  // CUDA / cuBLAS failure.
  static absl::StatusOr<std::unique_ptr<CudaNetwork>> FromModelFile(const ModelFile& file);
  // OK when every layer type of `file` has a CUDA implementation, else UNIMPLEMENTED naming
  // each layer (layers[i] ("name", type)) that has none. Needs no device.
  static absl::Status CheckSupported(const ModelFile& file);

  int64_t input_channels() const { return input_channels_; }
  int64_t output_channels() const { return output_channels_; }
  int64_t subsampling() const { return subsampling_; }

  // Fresh state for `batch` >= 1 streams (zero context, zero h/c), allocated on the device.
  absl::StatusOr<std::unique_ptr<CudaNetworkState>> InitState(int64_t batch = 1) const;
  // in: host (N, T, input_channels) -> host (N, T_out, output_channels), the same frames as
  // Network::Forward for the same chunking; `state` is advanced. Synchronous: returns after
  // the device finished. Scratch memory is reused across calls of equal or smaller size.
  absl::StatusOr<Tensor> Forward(ConstTensorView in, CudaNetworkState* state) const;
  // As above, the output allocated from `ws` (valid until its Reset): no host allocation once
  // `ws` has warmed up.
  absl::StatusOr<TensorView> Forward(ConstTensorView in, CudaNetworkState* state,
                                     Workspace* ws) const;

 private:
  struct Step {
    std::unique_ptr<CudaLayer> layer;
    std::string where;  // "layers[i] (\"name\", type)" for messages
  };
  CudaNetwork() = default;
  // Uploads `in` and runs every layer on `state`'s stream; the result lives in its arena.
  absl::StatusOr<DeviceTensor> RunLayers(ConstTensorView in, CudaNetworkState* state) const;
  // Copies `x` to `host` (x.n * x.t * x.c floats) and waits for `state`'s stream.
  absl::Status Download(const DeviceTensor& x, float* host, CudaNetworkState* state) const;

  std::vector<Step> steps_;
  int64_t input_channels_ = 0;
  int64_t output_channels_ = 0;
  int64_t subsampling_ = 1;
};

}  // namespace auris::nn::cuda

#endif  // AURIS_NN_CUDA_CUDA_NETWORK_H_
