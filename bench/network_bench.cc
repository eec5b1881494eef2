// nn::Network on an ASR-shaped net with random weights (no model file needed):
// conv1d 80->256 k3 s2, relu, conv1d 256->256 k3 s2, relu, lstm 256->320 x3, linear 29,
// log_softmax; streaming forward of 1 s chunks (100 frames of 10 ms) for N streams.
// Args: impl (0 = optimized, 1 = reference), batch N. Counters: RTF = compute seconds per
// second of audio per stream batch (lower is better; < 1 is faster than real time) and
// GFLOPS. Compare the optimized and reference rows for the speed-up.
// BM_AsrStreamStateMemory: heap bytes per stream state of the same network.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "nn/network.h"

namespace auris::nn {
namespace {

constexpr int64_t kFramesPerSecond = 100;
constexpr char kLayers[] = R"([
  {"type": "conv1d", "name": "conv1", "in_channels": 80, "out_channels": 256,
   "kernel_size": 3, "stride": 2},
  {"type": "relu", "name": "relu1"},
  {"type": "conv1d", "name": "conv2", "in_channels": 256, "out_channels": 256,
   "kernel_size": 3, "stride": 2},
  {"type": "relu", "name": "relu2"},
  {"type": "lstm", "name": "lstm", "input_size": 256, "hidden_size": 320, "num_layers": 3},
  {"type": "linear", "name": "head", "in_features": 320, "out_features": 29},
  {"type": "log_softmax", "name": "logp"}])";

Tensor Random(const Shape& shape, std::mt19937* rng, float scale) {
  std::normal_distribution<float> dist(0.0f, scale);
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = dist(*rng);
  return t;
}

ModelFile AsrModel() {
  std::mt19937 rng(1);
  ModelFile file;
  file.name = "random-asr";
  file.metadata.layers_json = kLayers;
  auto add = [&](const std::string& name, const Shape& shape, float scale) {
    file.tensors.emplace(name, Random(shape, &rng, scale));
  };
  add("conv1.weight", {256, 80, 3}, 0.06f);
  add("conv1.bias", {256}, 0.1f);
  add("conv2.weight", {256, 256, 3}, 0.03f);
  add("conv2.bias", {256}, 0.1f);
  for (int k = 0; k < 3; ++k) {
    const std::string l = std::to_string(k);
    add("lstm.weight_ih_l" + l, {1280, k == 0 ? 256 : 320}, 0.05f);
    add("lstm.weight_hh_l" + l, {1280, 320}, 0.05f);
    add("lstm.bias_ih_l" + l, {1280}, 0.1f);
    add("lstm.bias_hh_l" + l, {1280}, 0.1f);
  }
  add("head.weight", {29, 320}, 0.05f);
  add("head.bias", {29}, 0.1f);
  return file;
}

// Multiply-accumulates per input frame (netspec.macs_per_frame).
double MacsPerFrame() {
  return 0.5 * 256 * 80 * 3 + 0.25 * 256 * 256 * 3 +
         0.25 * 4 * 320 * ((256 + 320) + 2 * (320 + 320)) + 0.25 * 320 * 29;
}

void BM_AsrNetwork1sChunk(benchmark::State& state) {
  const bool optimized = state.range(0) == 0;
  const int64_t batch = state.range(1);
  absl::StatusOr<std::unique_ptr<Network>> net = Network::FromModelFile(
      AsrModel(), {.impl = optimized ? KernelImpl::kOptimized : KernelImpl::kReference});
  if (!net.ok()) {
    state.SkipWithError(std::string(net.status().message()).c_str());
    return;
  }
  std::mt19937 rng(2);
  const Tensor x = Random({batch, kFramesPerSecond, 80}, &rng, 1.0f);
  std::unique_ptr<NetworkState> stream = (*net)->InitState(batch);
  Workspace ws;
  for (auto _ : state) {
    ws.Reset();
    absl::StatusOr<TensorView> y = (*net)->Forward(x.view(), stream.get(), &ws);
    if (!y.ok()) state.SkipWithError("forward failed");
    benchmark::DoNotOptimize(y->data);
  }
  // One iteration processes 1 s of audio for each of `batch` streams.
  state.counters["RTF"] =
      benchmark::Counter(static_cast<double>(batch), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
  state.counters["GFLOPS"] =
      benchmark::Counter(2.0 * MacsPerFrame() * kFramesPerSecond * batch * 1e-9,
                         benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(optimized ? "optimized" : "reference");
}
BENCHMARK(BM_AsrNetwork1sChunk)
    ->ArgNames({"ref", "batch"})
    ->Args({0, 1})
    ->Args({1, 1})
    ->Args({0, 8})
    ->Args({1, 8})
    ->Args({0, 64})
    ->Unit(benchmark::kMillisecond);

// Memory per stream state of the same network: heap bytes held by kStreams single-stream
// states after each has been stepped once (so lazily sized conv context and LSTM h/c exist),
// measured with glibc's mallinfo2 around their creation; the shared workspace is warmed
// first and excluded. Counter state_bytes_per_stream.
void BM_AsrStreamStateMemory(benchmark::State& state) {
  constexpr int kStreams = 256;
  absl::StatusOr<std::unique_ptr<Network>> net = Network::FromModelFile(AsrModel());
  if (!net.ok()) {
    state.SkipWithError(std::string(net.status().message()).c_str());
    return;
  }
  std::mt19937 rng(3);
  const Tensor x = Random({1, kFramesPerSecond / 10, 80}, &rng, 1.0f);
  Workspace ws;
  double per_stream = 0.0;
  for (auto _ : state) {
    {
      std::unique_ptr<NetworkState> warm = (*net)->InitState(1);
      ws.Reset();
      if (!(*net)->Forward(x.view(), warm.get(), &ws).ok()) state.SkipWithError("forward failed");
    }
    const size_t before = mallinfo2().uordblks;
    std::vector<std::unique_ptr<NetworkState>> streams;
    streams.reserve(kStreams);
    const size_t after_reserve = mallinfo2().uordblks;
    for (int i = 0; i < kStreams; ++i) {
      streams.push_back((*net)->InitState(1));
      ws.Reset();
      if (!(*net)->Forward(x.view(), streams.back().get(), &ws).ok()) {
        state.SkipWithError("forward failed");
      }
    }
    const size_t after = mallinfo2().uordblks;
    per_stream = static_cast<double>(after - after_reserve) / kStreams;
    benchmark::DoNotOptimize(before);
  }
  state.counters["state_bytes_per_stream"] = per_stream;
}
BENCHMARK(BM_AsrStreamStateMemory)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace auris::nn
