#include "nn/layer_registry.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nn/layers/activation.h"
#include "nn/layers/attention_pool.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/conv1d.h"
#include "nn/layers/conv2d.h"
#include "nn/layers/gru.h"
#include "nn/layers/layer_norm.h"
#include "nn/layers/linear.h"
#include "nn/layers/lstm.h"
#include "nn/layers/time_pool.h"

#define AURIS_CONCAT_INNER(a, b) a##b
#define AURIS_CONCAT(a, b) AURIS_CONCAT_INNER(a, b)
#define AURIS_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto AURIS_CONCAT(status_or_, __LINE__) = (expr);                \
  if (!AURIS_CONCAT(status_or_, __LINE__).ok()) {                  \
    return std::move(AURIS_CONCAT(status_or_, __LINE__)).status(); \
  }                                                                \
  lhs = *std::move(AURIS_CONCAT(status_or_, __LINE__))

namespace auris::nn {
namespace {

using Json = nlohmann::json;
using Layers = std::vector<std::unique_ptr<Layer>>;

constexpr double kInf = std::numeric_limits<double>::infinity();

// One loaded layer of type L as the single runtime layer of an entry.
template <typename L>
absl::StatusOr<Layers> LoadOne(const typename L::Options& options, const TensorMap& weights) {
  auto layer = std::make_unique<L>(options);
  if (absl::Status s = layer->Load(weights); !s.ok()) return s;
  Layers out;
  out.push_back(std::move(layer));
  return out;
}

absl::StatusOr<int64_t> Channels(const LayerFields& f, std::string_view field) {
  return f.Int(field, std::nullopt, 1, kMaxLayerChannels);
}

absl::StatusOr<LayerPlan> ParseConv1d(const LayerFields& f) {
  Conv1d::Options o;
  AURIS_ASSIGN_OR_RETURN(o.in_channels, Channels(f, "in_channels"));
  AURIS_ASSIGN_OR_RETURN(o.out_channels, Channels(f, "out_channels"));
  AURIS_ASSIGN_OR_RETURN(o.kernel_size, f.Int("kernel_size", std::nullopt, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.stride, f.Int("stride", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.dilation, f.Int("dilation", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.groups, f.Int("groups", 1, 1, kMaxLayerChannels));
  AURIS_ASSIGN_OR_RETURN(o.bias, f.Bool("bias", true));
  AURIS_ASSIGN_OR_RETURN(o.causal, f.Bool("causal", true));
  AURIS_ASSIGN_OR_RETURN(o.padding, f.Int("padding", 0, 0, kMaxLayerFrames));
  if (o.in_channels % o.groups != 0 || o.out_channels % o.groups != 0) {
    return f.FieldError(
        "groups", absl::StrCat("must divide in_channels (", o.in_channels, ") and out_channels (",
                               o.out_channels, "), got ", o.groups));
  }
  if (o.causal && o.padding != 0) {
    return f.FieldError("padding", absl::StrCat("must be 0 when \"causal\" is true (the "
                                                "default: causal padding is implied), got ",
                                                o.padding));
  }
  const int64_t rf = (o.kernel_size - 1) * o.dilation + 1;
  if (o.causal && o.stride > rf) {
    return f.FieldError("stride", absl::StrCat("must be at most the receptive field (kernel_size - "
                                               "1) * dilation + 1 = ",
                                               rf, " when \"causal\" is true, got ", o.stride));
  }
  LayerPlan plan;
  plan.in_channels = o.in_channels;
  plan.in_field = "in_channels";
  plan.out_channels = o.out_channels;
  plan.stride = o.stride;
  plan.kernel_frames = rf;
  plan.tensors.emplace_back("weight",
                            Shape{o.out_channels, o.in_channels / o.groups, o.kernel_size});
  if (o.bias) plan.tensors.emplace_back("bias", Shape{o.out_channels});
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl impl) {
    Conv1d::Options options = o;
    options.impl = impl;
    return LoadOne<Conv1d>(options, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParseBatchNorm(const LayerFields& f) {
  BatchNorm::Options o;
  AURIS_ASSIGN_OR_RETURN(o.num_features, Channels(f, "num_features"));
  AURIS_ASSIGN_OR_RETURN(const double eps, f.Number("eps", 1e-5, 0.0, 1.0));
  o.eps = static_cast<float>(eps);
  LayerPlan plan;
  plan.in_channels = plan.out_channels = o.num_features;
  plan.in_field = "num_features";
  plan.folds_into_previous = true;
  for (const char* name : {"weight", "bias", "running_mean", "running_var"}) {
    plan.tensors.emplace_back(name, Shape{o.num_features});
  }
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl) {
    return LoadOne<BatchNorm>(o, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParseLinear(const LayerFields& f) {
  Linear::Options o;
  AURIS_ASSIGN_OR_RETURN(o.in_features, Channels(f, "in_features"));
  AURIS_ASSIGN_OR_RETURN(o.out_features, Channels(f, "out_features"));
  AURIS_ASSIGN_OR_RETURN(o.bias, f.Bool("bias", true));
  LayerPlan plan;
  plan.in_channels = o.in_features;
  plan.in_field = "in_features";
  plan.out_channels = o.out_features;
  plan.tensors.emplace_back("weight", Shape{o.out_features, o.in_features});
  if (o.bias) plan.tensors.emplace_back("bias", Shape{o.out_features});
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl impl) {
    Linear::Options options = o;
    options.impl = impl;
    return LoadOne<Linear>(options, weights);
  };
  return plan;
}

// A k-layer torch LSTM is k stacked single-layer Lstm layers; layer j's weights
// "weight_ih_l{j}", ... are handed to it under the l0 names it expects.
absl::StatusOr<LayerPlan> ParseLstm(const LayerFields& f) {
  AURIS_ASSIGN_OR_RETURN(const int64_t input, Channels(f, "input_size"));
  AURIS_ASSIGN_OR_RETURN(const int64_t hidden, Channels(f, "hidden_size"));
  AURIS_ASSIGN_OR_RETURN(const int64_t num_layers, f.Int("num_layers", 1, 1, 64));
  LayerPlan plan;
  plan.in_channels = input;
  plan.in_field = "input_size";
  plan.out_channels = hidden;
  for (int64_t j = 0; j < num_layers; ++j) {
    const int64_t in_j = j == 0 ? input : hidden;
    plan.tensors.emplace_back(absl::StrCat("weight_ih_l", j), Shape{4 * hidden, in_j});
    plan.tensors.emplace_back(absl::StrCat("weight_hh_l", j), Shape{4 * hidden, hidden});
    plan.tensors.emplace_back(absl::StrCat("bias_ih_l", j), Shape{4 * hidden});
    plan.tensors.emplace_back(absl::StrCat("bias_hh_l", j), Shape{4 * hidden});
  }
  plan.build = [=](const TensorMap& weights, int64_t, KernelImpl impl) -> absl::StatusOr<Layers> {
    Layers out;
    for (int64_t j = 0; j < num_layers; ++j) {
      TensorMap renamed;
      for (const char* base : {"weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"}) {
        const auto it = weights.find(absl::StrCat(base, j));
        if (it != weights.end()) renamed.emplace(absl::StrCat(base, 0), it->second.Clone());
      }
      auto layer = std::make_unique<Lstm>(Lstm::Options{
          .input_size = j == 0 ? input : hidden, .hidden_size = hidden, .impl = impl});
      if (absl::Status s = layer->Load(renamed); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("layer ", j, ": ", std::string(s.message())));
      }
      out.push_back(std::move(layer));
    }
    return out;
  };
  return plan;
}

// A k-layer torch GRU is k stacked single-layer Gru layers, named as for the LSTM; with
// "bias": false (torch.nn.GRU(bias=False)) no bias tensors are stored.
absl::StatusOr<LayerPlan> ParseGru(const LayerFields& f) {
  AURIS_ASSIGN_OR_RETURN(const int64_t input, Channels(f, "input_size"));
  AURIS_ASSIGN_OR_RETURN(const int64_t hidden, Channels(f, "hidden_size"));
  AURIS_ASSIGN_OR_RETURN(const int64_t num_layers, f.Int("num_layers", 1, 1, 64));
  AURIS_ASSIGN_OR_RETURN(const bool bias, f.Bool("bias", true));
  LayerPlan plan;
  plan.in_channels = input;
  plan.in_field = "input_size";
  plan.out_channels = hidden;
  for (int64_t j = 0; j < num_layers; ++j) {
    const int64_t in_j = j == 0 ? input : hidden;
    plan.tensors.emplace_back(absl::StrCat("weight_ih_l", j), Shape{3 * hidden, in_j});
    plan.tensors.emplace_back(absl::StrCat("weight_hh_l", j), Shape{3 * hidden, hidden});
    if (!bias) continue;
    plan.tensors.emplace_back(absl::StrCat("bias_ih_l", j), Shape{3 * hidden});
    plan.tensors.emplace_back(absl::StrCat("bias_hh_l", j), Shape{3 * hidden});
  }
  plan.build = [=](const TensorMap& weights, int64_t, KernelImpl impl) -> absl::StatusOr<Layers> {
    Layers out;
    for (int64_t j = 0; j < num_layers; ++j) {
      TensorMap renamed;
      for (const char* base : {"weight_ih_l", "weight_hh_l", "bias_ih_l", "bias_hh_l"}) {
        const auto it = weights.find(absl::StrCat(base, j));
        if (it != weights.end()) renamed.emplace(absl::StrCat(base, 0), it->second.Clone());
      }
      auto layer = std::make_unique<Gru>(Gru::Options{.input_size = j == 0 ? input : hidden,
                                                      .hidden_size = hidden,
                                                      .bias = bias,
                                                      .impl = impl});
      if (absl::Status s = layer->Load(renamed); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat("layer ", j, ": ", std::string(s.message())));
      }
      out.push_back(std::move(layer));
    }
    return out;
  };
  return plan;
}

// Activations carry in_channels * freq features (channel-major); the network-level channel
// check therefore names the product.
absl::StatusOr<LayerPlan> ParseConv2d(const LayerFields& f) {
  Conv2d::Options o;
  AURIS_ASSIGN_OR_RETURN(o.in_channels, Channels(f, "in_channels"));
  AURIS_ASSIGN_OR_RETURN(o.out_channels, Channels(f, "out_channels"));
  AURIS_ASSIGN_OR_RETURN(o.freq, Channels(f, "freq"));
  AURIS_ASSIGN_OR_RETURN(o.kernel_time, f.Int("kernel_time", std::nullopt, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.kernel_freq, f.Int("kernel_freq", std::nullopt, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.stride_time, f.Int("stride_time", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.stride_freq, f.Int("stride_freq", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.dilation_time, f.Int("dilation_time", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.dilation_freq, f.Int("dilation_freq", 1, 1, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.padding_freq, f.Int("padding_freq", 0, 0, kMaxLayerFrames));
  AURIS_ASSIGN_OR_RETURN(o.bias, f.Bool("bias", true));
  if (o.in_channels * o.freq > kMaxLayerChannels) {
    return f.FieldError(
        "freq", absl::StrCat("times in_channels must be at most ", kMaxLayerChannels, ", got ",
                             o.freq, " x ", o.in_channels));
  }
  const int64_t freq_out = Conv2d::FreqOut(o);
  if (freq_out <= 0) {
    return f.FieldError(
        "kernel_freq",
        absl::StrCat("with dilation_freq ", o.dilation_freq, " spans more than freq (", o.freq,
                     ") + 2 * padding_freq (", o.padding_freq, ") bins; got ", o.kernel_freq));
  }
  if (o.out_channels * freq_out > kMaxLayerChannels) {
    return f.FieldError("out_channels",
                        absl::StrCat("times the ", freq_out, " output bins must be at most ",
                                     kMaxLayerChannels, ", got ", o.out_channels));
  }
  const int64_t rf = (o.kernel_time - 1) * o.dilation_time + 1;
  if (o.stride_time > rf) {
    return f.FieldError("stride_time",
                        absl::StrCat("must be at most the time receptive field (kernel_time - 1) "
                                     "* dilation_time + 1 = ",
                                     rf, ", got ", o.stride_time));
  }
  LayerPlan plan;
  plan.in_channels = o.in_channels * o.freq;
  plan.in_field = "in_channels * freq";
  plan.out_channels = o.out_channels * freq_out;
  plan.stride = o.stride_time;
  plan.kernel_frames = rf;
  plan.tensors.emplace_back("weight",
                            Shape{o.out_channels, o.in_channels, o.kernel_time, o.kernel_freq});
  if (o.bias) plan.tensors.emplace_back("bias", Shape{o.out_channels});
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl impl) {
    Conv2d::Options options = o;
    options.impl = impl;
    return LoadOne<Conv2d>(options, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParseAttentionPool(const LayerFields& f) {
  AttentionPool::Options o;
  AURIS_ASSIGN_OR_RETURN(o.in_features, Channels(f, "in_features"));
  AURIS_ASSIGN_OR_RETURN(o.attention_dim, f.Int("attention_dim", 0, 0, kMaxLayerChannels));
  LayerPlan plan;
  plan.in_channels = plan.out_channels = o.in_features;
  plan.in_field = "in_features";
  if (o.attention_dim > 0) {
    plan.tensors.emplace_back("proj.weight", Shape{o.attention_dim, o.in_features});
    plan.tensors.emplace_back("proj.bias", Shape{o.attention_dim});
  }
  plan.tensors.emplace_back("score.weight",
                            Shape{1, o.attention_dim > 0 ? o.attention_dim : o.in_features});
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl impl) {
    AttentionPool::Options options = o;
    options.impl = impl;
    return LoadOne<AttentionPool>(options, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParseLayerNorm(const LayerFields& f) {
  LayerNorm::Options o;
  AURIS_ASSIGN_OR_RETURN(o.num_features, Channels(f, "num_features"));
  AURIS_ASSIGN_OR_RETURN(const double eps, f.Number("eps", 1e-5, 0.0, 1.0));
  o.eps = static_cast<float>(eps);
  LayerPlan plan;
  plan.in_channels = plan.out_channels = o.num_features;
  plan.in_field = "num_features";
  plan.tensors.emplace_back("weight", Shape{o.num_features});
  plan.tensors.emplace_back("bias", Shape{o.num_features});
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl) {
    return LoadOne<LayerNorm>(o, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParsePool(const LayerFields& f) {
  TimePool::Options o;
  o.kind = f.type() == "max_pool" ? TimePool::Kind::kMax : TimePool::Kind::kAvg;
  AURIS_ASSIGN_OR_RETURN(o.kernel_size, f.Int("kernel_size", std::nullopt, 1, kMaxLayerFrames));
  LayerPlan plan;
  plan.stride = plan.kernel_frames = o.kernel_size;
  plan.build = [o](const TensorMap& weights, int64_t channels, KernelImpl) {
    TimePool::Options options = o;
    options.channels = channels;
    return LoadOne<TimePool>(options, weights);
  };
  return plan;
}

absl::StatusOr<LayerPlan> ParseActivation(const LayerFields& f) {
  Activation::Options o;
  o.kind = *Activation::ParseKind(f.type());
  AURIS_ASSIGN_OR_RETURN(const double slope, f.Number("negative_slope", 0.01, -kInf, kInf));
  o.negative_slope = static_cast<float>(slope);
  LayerPlan plan;
  plan.build = [o](const TensorMap& weights, int64_t, KernelImpl impl) {
    Activation::Options with_impl = o;
    with_impl.impl = impl;
    return LoadOne<Activation>(with_impl, weights);
  };
  return plan;
}

const std::vector<LayerType>& Registry() {
  static const std::vector<LayerType> kTypes = {
      {"attention_pool", {"in_features", "attention_dim"}, &ParseAttentionPool},
      {"avg_pool", {"kernel_size"}, &ParsePool},
      {"batchnorm", {"num_features", "eps"}, &ParseBatchNorm},
      {"conv1d",
       {"in_channels", "out_channels", "kernel_size", "stride", "dilation", "groups", "bias",
        "causal", "padding"},
       &ParseConv1d},
      {"conv2d",
       {"in_channels", "out_channels", "freq", "kernel_time", "kernel_freq", "stride_time",
        "stride_freq", "dilation_time", "dilation_freq", "padding_freq", "bias"},
       &ParseConv2d},
      {"gelu", {}, &ParseActivation},
      {"gru", {"input_size", "hidden_size", "num_layers", "bias"}, &ParseGru},
      {"layernorm", {"num_features", "eps"}, &ParseLayerNorm},
      {"leaky_relu", {"negative_slope"}, &ParseActivation},
      {"linear", {"in_features", "out_features", "bias"}, &ParseLinear},
      {"log_softmax", {}, &ParseActivation},
      {"lstm", {"input_size", "hidden_size", "num_layers"}, &ParseLstm},
      {"max_pool", {"kernel_size"}, &ParsePool},
      {"relu", {}, &ParseActivation},
      {"sigmoid", {}, &ParseActivation},
      {"softmax", {}, &ParseActivation},
      {"tanh", {}, &ParseActivation},
  };
  return kTypes;
}

LayerFields::Value ToValue(const Json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) {
    if (j.is_number_unsigned() &&
        j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return j.get<double>();
    }
    return j.get<int64_t>();
  }
  if (j.is_number_float()) return j.get<double>();
  if (j.is_string()) return j.get<std::string>();
  return std::monostate();
}

absl::Status EntryError(size_t i, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("layers[", i, "]: ", what));
}

}  // namespace

const LayerType* FindLayerType(std::string_view type) {
  for (const LayerType& t : Registry()) {
    if (t.name == type) return &t;
  }
  return nullptr;
}

std::string LayerTypeNames() {
  std::vector<std::string> names;
  for (const LayerType& t : Registry()) names.emplace_back(t.name);
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<std::vector<LayerFields>> ParseLayerList(std::string_view json) {
  const Json list = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!list.is_array() || list.empty()) {
    return absl::InvalidArgumentError("\"layers\" must be a non-empty array of layer objects");
  }
  std::vector<LayerFields> out;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& entry = list[i];
    if (!entry.is_object()) return EntryError(i, "must be an object");
    const auto type_it = entry.find("type");
    const LayerType* type = nullptr;
    if (type_it != entry.end() && type_it->is_string()) {
      type = FindLayerType(type_it->get<std::string>());
    }
    if (type == nullptr) {
      return EntryError(i,
                        absl::StrCat("field \"type\" must be one of ", LayerTypeNames(), "; got ",
                                     type_it == entry.end() ? "none" : type_it->dump()));
    }
    const auto name_it = entry.find("name");
    const std::string name =
        name_it != entry.end() && name_it->is_string() ? name_it->get<std::string>() : "";
    if (name.empty() || name.find('.') != std::string::npos || names.count(name) > 0) {
      return EntryError(
          i, absl::StrCat("field \"name\" must be a non-empty string without '.', unique in "
                          "the list; got ",
                          name_it == entry.end() ? "none" : name_it->dump()));
    }
    names.insert(name);
    std::map<std::string, LayerFields::Value> values;
    for (const auto& [key, value] : entry.items()) {
      if (key == "type" || key == "name") continue;
      bool known = false;
      for (std::string_view field : type->fields) known = known || field == key;
      if (!known) {
        std::vector<std::string> allowed = {"type", "name"};
        for (std::string_view field : type->fields) allowed.emplace_back(field);
        return absl::InvalidArgumentError(absl::StrCat(
            "layers[", i, "] (\"", name, "\", ", std::string(type->name), "): unknown field \"",
            key, "\"; allowed: ", absl::StrJoin(allowed, ", ")));
      }
      values.emplace(key, ToValue(value));
    }
    out.emplace_back(static_cast<int>(i), std::string(type->name), name, std::move(values));
  }
  return out;
}

}  // namespace auris::nn
