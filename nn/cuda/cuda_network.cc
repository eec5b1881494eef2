#include "nn/cuda/cuda_network.h"

#include <cmath>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nn/backend.h"
#include "nn/layer_registry.h"
#include "nn/network.h"

namespace auris::nn::cuda {
namespace {

const std::set<std::string>& SupportedTypes() {
  static const std::set<std::string> kTypes = {
      "avg_pool", "batchnorm", "conv1d", "gelu",    "layernorm",   "leaky_relu", "linear",
      "lstm",     "max_pool",  "relu",   "sigmoid", "log_softmax", "softmax",    "tanh"};
  return kTypes;
}

absl::Status Prefixed(const absl::Status& s, std::string_view prefix) {
  return absl::Status(s.code(), absl::StrCat(std::string(prefix), ": ", s.message()));
}

// The entry's tensor `torch_name` (stored as "<name>.<torch_name>"), or null when absent.
const Tensor* Find(const TensorMap& tensors, const LayerFields& f, std::string_view torch_name) {
  const auto it = tensors.find(absl::StrCat(f.name(), ".", std::string(torch_name)));
  return it == tensors.end() ? nullptr : &it->second;
}

absl::StatusOr<const Tensor*> Need(const TensorMap& tensors, const LayerFields& f,
                                   std::string_view torch_name) {
  const Tensor* t = Find(tensors, f, torch_name);
  if (t == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing tensor ", f.name(), ".", std::string(torch_name)));
  }
  return t;
}

#define AURIS_CUDA_ASSIGN(lhs, expr)            \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

absl::StatusOr<std::unique_ptr<CudaLayer>> BuildConv1d(const LayerFields& f,
                                                       const TensorMap& tensors) {
  constexpr int64_t kMax = kMaxLayerChannels;
  constexpr int64_t kFrames = kMaxLayerFrames;
  CudaConv1d::Options o;
  AURIS_CUDA_ASSIGN(in, f.Int("in_channels", std::nullopt, 1, kMax));
  AURIS_CUDA_ASSIGN(out, f.Int("out_channels", std::nullopt, 1, kMax));
  AURIS_CUDA_ASSIGN(kernel, f.Int("kernel_size", std::nullopt, 1, kFrames));
  AURIS_CUDA_ASSIGN(stride, f.Int("stride", 1, 1, kFrames));
  AURIS_CUDA_ASSIGN(dilation, f.Int("dilation", 1, 1, kFrames));
  AURIS_CUDA_ASSIGN(groups, f.Int("groups", 1, 1, kMax));
  AURIS_CUDA_ASSIGN(bias, f.Bool("bias", true));
  AURIS_CUDA_ASSIGN(causal, f.Bool("causal", true));
  AURIS_CUDA_ASSIGN(padding, f.Int("padding", 0, 0, kFrames));
  o = {in, out, kernel, stride, dilation, padding, groups, bias, causal};
  AURIS_CUDA_ASSIGN(weight, Need(tensors, f, "weight"));
  return CudaConv1d::Create(o, *weight, bias ? Find(tensors, f, "bias") : nullptr);
}

absl::Status FoldBatchNorm(const LayerFields& f, const TensorMap& tensors, CudaLayer* previous) {
  AURIS_CUDA_ASSIGN(eps, f.Number("eps", 1e-5, 0.0, 1.0));
  AURIS_CUDA_ASSIGN(weight, Need(tensors, f, "weight"));
  AURIS_CUDA_ASSIGN(bias, Need(tensors, f, "bias"));
  AURIS_CUDA_ASSIGN(mean, Need(tensors, f, "running_mean"));
  AURIS_CUDA_ASSIGN(var, Need(tensors, f, "running_var"));
  const int64_t c = weight->size();
  Tensor scale({c});
  Tensor shift({c});
  for (int64_t j = 0; j < c; ++j) {
    const double s = (*weight)[j] / std::sqrt(static_cast<double>((*var)[j]) + eps);
    scale[j] = static_cast<float>(s);
    shift[j] = static_cast<float>((*bias)[j] - (*mean)[j] * s);
  }
  if (auto* conv = dynamic_cast<CudaConv1d*>(previous); conv != nullptr) {
    return conv->FoldAffine(scale.view(), shift.view());
  }
  if (auto* linear = dynamic_cast<CudaLinear*>(previous); linear != nullptr) {
    return linear->FoldAffine(scale.view(), shift.view());
  }
  return absl::InvalidArgumentError("batchnorm must directly follow a conv1d or linear");
}

// The runtime layers of one entry (k for a k-layer LSTM; none for a folded batchnorm).
absl::Status BuildEntry(const LayerFields& f, const TensorMap& tensors, int64_t channels,
                        std::vector<std::unique_ptr<CudaLayer>>* out) {
  const std::string& type = f.type();
  if (type == "batchnorm") {
    if (out->empty()) return absl::InvalidArgumentError("batchnorm has no preceding layer");
    return FoldBatchNorm(f, tensors, out->back().get());
  }
  std::unique_ptr<CudaLayer> layer;
  if (type == "conv1d") {
    AURIS_CUDA_ASSIGN(conv, BuildConv1d(f, tensors));
    layer = std::move(conv);
  } else if (type == "linear") {
    AURIS_CUDA_ASSIGN(weight, Need(tensors, f, "weight"));
    AURIS_CUDA_ASSIGN(bias, f.Bool("bias", true));
    AURIS_CUDA_ASSIGN(linear,
                      CudaLinear::Create(*weight, bias ? Find(tensors, f, "bias") : nullptr));
    layer = std::move(linear);
  } else if (type == "lstm") {
    AURIS_CUDA_ASSIGN(num_layers, f.Int("num_layers", 1, 1, 64));
    for (int64_t j = 0; j < num_layers; ++j) {
      AURIS_CUDA_ASSIGN(w_ih, Need(tensors, f, absl::StrCat("weight_ih_l", j)));
      AURIS_CUDA_ASSIGN(w_hh, Need(tensors, f, absl::StrCat("weight_hh_l", j)));
      AURIS_CUDA_ASSIGN(b_ih, Need(tensors, f, absl::StrCat("bias_ih_l", j)));
      AURIS_CUDA_ASSIGN(b_hh, Need(tensors, f, absl::StrCat("bias_hh_l", j)));
      AURIS_CUDA_ASSIGN(lstm, CudaLstm::Create(*w_ih, *w_hh, *b_ih, *b_hh));
      out->push_back(std::move(lstm));
    }
    return absl::OkStatus();
  } else if (type == "layernorm") {
    AURIS_CUDA_ASSIGN(eps, f.Number("eps", 1e-5, 0.0, 1.0));
    AURIS_CUDA_ASSIGN(weight, Need(tensors, f, "weight"));
    AURIS_CUDA_ASSIGN(bias, Need(tensors, f, "bias"));
    layer = std::make_unique<CudaLayerNorm>(*weight, *bias, static_cast<float>(eps));
  } else if (type == "max_pool" || type == "avg_pool") {
    AURIS_CUDA_ASSIGN(kernel, f.Int("kernel_size", std::nullopt, 1, kMaxLayerFrames));
    layer = std::make_unique<CudaTimePool>(type == "max_pool", kernel, channels);
  } else {
    AURIS_CUDA_ASSIGN(slope, f.Number("negative_slope", 0.01, -INFINITY, INFINITY));
    AURIS_CUDA_ASSIGN(activation, CudaActivation::Create(type, static_cast<float>(slope)));
    layer = std::move(activation);
  }
  out->push_back(std::move(layer));
  return absl::OkStatus();
}

ModelFile Copy(const ModelFile& file) {
  ModelFile copy;
  copy.name = file.name;
  copy.metadata = file.metadata;
  copy.extra = file.extra;
  for (const auto& [name, tensor] : file.tensors) copy.tensors.emplace(name, tensor.Clone());
  return copy;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CudaNetwork>> CudaNetwork::Load(const std::string& path) {
  if (absl::Status s = CheckBackendAvailable(BackendKind::kCuda); !s.ok()) return s;
  absl::StatusOr<ModelFile> file = LoadModelFile(path);
  if (!file.ok()) return file.status();
  return FromModelFile(*file);
}

absl::Status CudaNetwork::CheckSupported(const ModelFile& file) {
  absl::StatusOr<std::vector<LayerFields>> entries = ParseLayerList(file.metadata.layers_json);
  if (!entries.ok()) return Prefixed(entries.status(), absl::StrCat("model file ", file.name));
  std::vector<std::string> missing;
  for (const LayerFields& f : *entries) {
    if (SupportedTypes().count(f.type()) == 0) missing.push_back(f.Where());
  }
  if (missing.empty()) return absl::OkStatus();
  return absl::UnimplementedError(
      absl::StrCat("model file ", file.name, ": the cuda backend does not implement ",
                   absl::StrJoin(missing, ", "), "; it implements ",
                   absl::StrJoin(SupportedTypes(), ", "), " (use --backend cpu for this model)"));
}

absl::StatusOr<std::unique_ptr<CudaNetwork>> CudaNetwork::FromModelFile(const ModelFile& file) {
  if (absl::Status s = CheckBackendAvailable(BackendKind::kCuda); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<Network>> cpu = Network::FromModelFile(Copy(file));
  if (!cpu.ok()) return cpu.status();
  if (absl::Status s = CheckSupported(file); !s.ok()) return s;
  const std::string prefix = absl::StrCat("model file ", file.name);
  absl::StatusOr<std::vector<LayerFields>> entries = ParseLayerList(file.metadata.layers_json);
  if (!entries.ok()) return Prefixed(entries.status(), prefix);

  auto net = std::unique_ptr<CudaNetwork>(new CudaNetwork());
  net->input_channels_ = (*cpu)->input_channels();
  net->output_channels_ = (*cpu)->output_channels();
  net->subsampling_ = (*cpu)->subsampling();
  std::vector<std::unique_ptr<CudaLayer>> layers;
  std::vector<std::string> wheres;
  int64_t channels = net->input_channels_;
  for (const LayerFields& f : *entries) {
    absl::StatusOr<LayerPlan> plan = FindLayerType(f.type())->parse(f);
    if (!plan.ok()) return Prefixed(plan.status(), prefix);
    if (absl::Status s = BuildEntry(f, file.tensors, channels, &layers); !s.ok()) {
      return Prefixed(s, absl::StrCat(prefix, ": ", f.Where()));
    }
    wheres.resize(layers.size(), f.Where());
    if (plan->out_channels > 0) channels = plan->out_channels;
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    if (absl::Status s = layers[i]->Upload(); !s.ok()) {
      return Prefixed(s, absl::StrCat(prefix, ": ", wheres[i]));
    }
    net->steps_.push_back({std::move(layers[i]), wheres[i]});
  }
  // Uploads ran on the legacy default stream, which states' non-blocking streams do not wait for.
  if (absl::Status s = CudaStatus(cudaDeviceSynchronize(), "weight upload"); !s.ok()) return s;
  return net;
}

absl::StatusOr<std::unique_ptr<CudaNetworkState>> CudaNetwork::InitState(int64_t batch) const {
  if (batch < 1) return absl::InvalidArgumentError("InitState: batch must be >= 1");
  auto state = std::unique_ptr<CudaNetworkState>(new CudaNetworkState());
  state->owner_ = this;
  state->batch_ = batch;
  absl::StatusOr<StreamHandle> stream = CreateStream();
  if (!stream.ok()) return stream.status();
  state->stream_ = *std::move(stream);
  absl::StatusOr<CublasHandle> cublas = CreateCublas(state->stream_.get());
  if (!cublas.ok()) return cublas.status();
  state->cublas_ = *std::move(cublas);
  for (const Step& step : steps_) {
    absl::StatusOr<std::unique_ptr<CudaLayerState>> layer = step.layer->InitState(batch);
    if (!layer.ok()) return Prefixed(layer.status(), step.where);
    state->layers_.push_back(*std::move(layer));
  }
  // The zeroing memsets ran on the legacy default stream; finish them before the first Forward.
  if (absl::Status s = CudaStatus(cudaDeviceSynchronize(), "state init"); !s.ok()) return s;
  return state;
}

absl::StatusOr<DeviceTensor> CudaNetwork::RunLayers(ConstTensorView in,
                                                    CudaNetworkState* state) const {
  if (state == nullptr || state->owner_ != this) {
    return absl::InvalidArgumentError(
        "cuda network Forward: the state was not made by this network's InitState");
  }
  if (in.shape.rank() != 3 || in.shape[0] != state->batch_ || in.shape[2] != input_channels_) {
    return absl::InvalidArgumentError(absl::StrCat("network input: expected shape (", state->batch_,
                                                   ", T, ", input_channels_, "), got ",
                                                   in.shape.ToString()));
  }
  CudaContext ctx{state->stream_.get(), state->cublas_.get(), &state->arena_};
  state->arena_.Reset();
  absl::StatusOr<float*> input = state->arena_.Get(in.size());
  if (!input.ok()) return input.status();
  if (in.size() > 0) {
    absl::Status s = CudaStatus(cudaMemcpyAsync(*input, in.data, sizeof(float) * in.size(),
                                                cudaMemcpyHostToDevice, ctx.stream),
                                "input upload");
    if (!s.ok()) return s;
  }
  DeviceTensor x{*input, in.shape[0], in.shape[1], in.shape[2]};
  for (size_t i = 0; i < steps_.size(); ++i) {
    absl::StatusOr<DeviceTensor> y = steps_[i].layer->Forward(x, state->layers_[i].get(), &ctx);
    if (!y.ok()) return Prefixed(y.status(), steps_[i].where);
    x = *y;
  }
  return x;
}

absl::Status CudaNetwork::Download(const DeviceTensor& x, float* host,
                                   CudaNetworkState* state) const {
  const int64_t size = x.n * x.t * x.c;
  if (size > 0) {
    absl::Status s = CudaStatus(cudaMemcpyAsync(host, x.data, sizeof(float) * size,
                                                cudaMemcpyDeviceToHost, state->stream_.get()),
                                "output download");
    if (!s.ok()) return s;
  }
  return CudaStatus(cudaStreamSynchronize(state->stream_.get()), "cuda network Forward");
}

absl::StatusOr<Tensor> CudaNetwork::Forward(ConstTensorView in, CudaNetworkState* state) const {
  absl::StatusOr<DeviceTensor> x = RunLayers(in, state);
  if (!x.ok()) return x.status();
  Tensor out({x->n, x->t, x->c});
  if (absl::Status s = Download(*x, out.data(), state); !s.ok()) return s;
  return out;
}

absl::StatusOr<TensorView> CudaNetwork::Forward(ConstTensorView in, CudaNetworkState* state,
                                                Workspace* ws) const {
  absl::StatusOr<DeviceTensor> x = RunLayers(in, state);
  if (!x.ok()) return x.status();
  TensorView out = ws->Allocate({x->n, x->t, x->c});
  if (absl::Status s = Download(*x, out.data, state); !s.ok()) return s;
  return out;
}

}  // namespace auris::nn::cuda
