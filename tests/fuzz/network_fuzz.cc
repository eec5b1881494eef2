// libFuzzer target over untrusted model-file bytes: ParseModelFile then Network::FromModelFile
// must never crash; a network that loads must run a short forward pass (whole, then in
// 1-frame chunks on a fresh state) without error. Seeds: tests/fuzz/corpus/network (copies
// of the tests/nn/golden network_*.safetensors and model_tiny.safetensors).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "nn/model_file.h"
#include "nn/network.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<auris::nn::ModelFile> file = auris::nn::ParseModelFile(bytes, "fuzz");
  if (!file.ok()) return 0;
  absl::StatusOr<std::unique_ptr<auris::nn::Network>> net =
      auris::nn::Network::FromModelFile(*std::move(file));
  if (!net.ok()) return 0;
  const auris::nn::Network& n = **net;
  if (n.input_channels() > 512) return 0;
  constexpr int64_t kFrames = 5;
  auris::nn::Tensor x({1, kFrames, n.input_channels()});
  for (int64_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 7) - 3.0f;
  auris::nn::Workspace ws;
  auto whole = n.InitState(1);
  if (!n.Forward(x.view(), whole.get(), &ws).ok()) std::abort();
  auto chunked = n.InitState(1);
  const int64_t c = n.input_channels();
  for (int64_t t = 0; t < kFrames; ++t) {
    ws.Reset();
    const auris::nn::ConstTensorView frame(x.data() + t * c, auris::nn::Shape{1, 1, c});
    if (!n.Forward(frame, chunked.get(), &ws).ok()) std::abort();
  }
  return 0;
}
