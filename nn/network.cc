#include "nn/network.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nn/layer_registry.h"
#include "nn/layers/batch_norm.h"
#include "nn/layers/conv1d.h"
#include "nn/layers/linear.h"

namespace auris::nn {
namespace {

constexpr int64_t kMaxSubsampling = 1 << 20;

absl::Status Prefixed(const absl::Status& s, const std::string& prefix) {
  return absl::Status(s.code(), absl::StrCat(prefix, ": ", std::string(s.message())));
}

// Moves this entry's tensors out of `file` into a map keyed by torch name, checking each.
absl::StatusOr<TensorMap> TakeTensors(const LayerFields& fields, const LayerPlan& plan,
                                      TensorMap* file) {
  TensorMap out;
  for (const auto& [torch_name, shape] : plan.tensors) {
    const std::string full = absl::StrCat(fields.name(), ".", torch_name);
    auto it = file->find(full);
    if (it == file->end()) {
      return absl::InvalidArgumentError(absl::StrCat(fields.Where(), ": missing tensor \"", full,
                                                     "\" of shape ", shape.ToString()));
    }
    if (it->second.shape() != shape) {
      return absl::InvalidArgumentError(absl::StrCat(fields.Where(), ": tensor \"", full,
                                                     "\" must have shape ", shape.ToString(),
                                                     ", got ", it->second.shape().ToString()));
    }
    out.emplace(torch_name, std::move(it->second));
    file->erase(it);
  }
  return out;
}

absl::Status FoldBatchNorm(const Layer& batchnorm, Layer* previous) {
  const auto& bn = static_cast<const BatchNorm&>(batchnorm);
  if (auto* conv = dynamic_cast<Conv1d*>(previous); conv != nullptr) {
    return conv->FoldAffine(bn.scale(), bn.shift());
  }
  if (auto* linear = dynamic_cast<Linear*>(previous); linear != nullptr) {
    return linear->FoldAffine(bn.scale(), bn.shift());
  }
  return absl::InvalidArgumentError("batchnorm must directly follow a conv1d or linear");
}

}  // namespace

absl::StatusOr<std::unique_ptr<Network>> Network::Load(const std::string& path,
                                                       const Options& options) {
  absl::StatusOr<ModelFile> file = LoadModelFile(path);
  if (!file.ok()) return file.status();
  return FromModelFile(*std::move(file), options);
}

absl::StatusOr<std::unique_ptr<Network>> Network::FromModelFile(ModelFile file,
                                                                const Options& options) {
  const std::string prefix = absl::StrCat("model file ", file.name);
  absl::StatusOr<std::vector<LayerFields>> entries = ParseLayerList(file.metadata.layers_json);
  if (!entries.ok()) return Prefixed(entries.status(), prefix);

  std::vector<LayerPlan> plans;
  for (const LayerFields& fields : *entries) {
    absl::StatusOr<LayerPlan> plan = FindLayerType(fields.type())->parse(fields);
    if (!plan.ok()) return Prefixed(plan.status(), prefix);
    plans.push_back(*std::move(plan));
  }

  auto net = std::unique_ptr<Network>(new Network());
  for (const LayerPlan& plan : plans) {
    if (plan.in_channels > 0) {
      net->input_channels_ = plan.in_channels;
      break;
    }
  }
  if (net->input_channels_ == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, ": no layer sets a channel count (conv1d, linear, lstm, layernorm or batchnorm)"));
  }

  int64_t channels = net->input_channels_;
  int64_t jump = 1;
  for (size_t i = 0; i < plans.size(); ++i) {
    const LayerFields& fields = (*entries)[i];
    const LayerPlan& plan = plans[i];
    if (plan.in_channels > 0 && plan.in_channels != channels) {
      const LayerFields& prev = (*entries)[i - 1];
      return Prefixed(
          fields.FieldError(plan.in_field,
                            absl::StrCat("is ", plan.in_channels, " but ", prev.Where(),
                                         " outputs ", channels, " channels; they must match")),
          prefix);
    }
    if (plan.folds_into_previous && (i == 0 || ((*entries)[i - 1].type() != "conv1d" &&
                                                (*entries)[i - 1].type() != "linear"))) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, ": ", fields.Where(),
                       ": batchnorm must directly follow a conv1d or linear (it is folded into "
                       "it at load)"));
    }
    net->receptive_field_ += (plan.kernel_frames - 1) * jump;
    jump *= plan.stride;
    if (jump > kMaxSubsampling) {
      return absl::InvalidArgumentError(absl::StrCat(
          prefix, ": ", fields.Where(), ": total subsampling exceeds ", kMaxSubsampling));
    }

    absl::StatusOr<TensorMap> weights = TakeTensors(fields, plan, &file.tensors);
    if (!weights.ok()) return Prefixed(weights.status(), prefix);
    absl::StatusOr<std::vector<std::unique_ptr<Layer>>> layers =
        plan.build(*weights, channels, options.impl);
    if (!layers.ok()) return Prefixed(layers.status(), absl::StrCat(prefix, ": ", fields.Where()));
    if (plan.folds_into_previous) {
      absl::Status s = FoldBatchNorm(*layers->front(), net->steps_.back().layer.get());
      if (!s.ok()) return Prefixed(s, absl::StrCat(prefix, ": ", fields.Where()));
    } else {
      for (std::unique_ptr<Layer>& layer : *layers) {
        net->steps_.push_back({std::move(layer), fields.Where()});
      }
    }
    if (plan.out_channels > 0) channels = plan.out_channels;
  }
  net->output_channels_ = channels;
  net->subsampling_ = jump;
  net->extra_tensors_ = std::move(file.tensors);
  net->metadata_ = std::move(file.metadata);
  return net;
}

std::unique_ptr<NetworkState> Network::InitState(int64_t batch) const {
  std::vector<std::unique_ptr<LayerState>> layers;
  layers.reserve(steps_.size());
  for (const Step& step : steps_) layers.push_back(step.layer->InitState(batch));
  return std::unique_ptr<NetworkState>(new NetworkState(this, batch, std::move(layers)));
}

absl::Status Network::CheckState(const NetworkState& state, const char* what) const {
  if (state.owner_ != this || state.layers_.size() != steps_.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": the state was not made by this network's InitState or Stack"));
  }
  return absl::OkStatus();
}

absl::StatusOr<TensorView> Network::Forward(ConstTensorView in, NetworkState* state,
                                            Workspace* ws) const {
  if (state == nullptr) return absl::InvalidArgumentError("network Forward: state is null");
  if (absl::Status s = CheckState(*state, "network Forward"); !s.ok()) return s;
  if (in.shape.rank() != 3 || in.shape[0] != state->batch_ || in.shape[2] != input_channels_) {
    return absl::InvalidArgumentError(absl::StrCat("network input: expected shape (", state->batch_,
                                                   ", T, ", input_channels_, "), got ",
                                                   in.shape.ToString()));
  }
  TensorView out;
  ConstTensorView x = in;
  for (size_t i = 0; i < steps_.size(); ++i) {
    absl::StatusOr<TensorView> y = steps_[i].layer->Forward(x, state->layers_[i].get(), ws);
    if (!y.ok()) return Prefixed(y.status(), steps_[i].where);
    out = *y;
    x = out;
  }
  return out;
}

absl::StatusOr<std::unique_ptr<NetworkState>> Network::Stack(
    std::span<NetworkState* const> states) const {
  int64_t total = 0;
  for (NetworkState* s : states) total += s != nullptr ? s->batch_ : 0;
  std::unique_ptr<NetworkState> out = InitState(std::max<int64_t>(total, 1));
  if (absl::Status s = StackInto(states, out.get()); !s.ok()) return s;
  return out;
}

absl::Status Network::StackInto(std::span<NetworkState* const> states,
                                NetworkState* batched) const {
  if (states.empty()) return absl::InvalidArgumentError("Stack: no states given");
  if (batched == nullptr) return absl::InvalidArgumentError("Stack: the batched state is null");
  if (absl::Status s = CheckState(*batched, "Stack"); !s.ok()) return s;
  int64_t total = 0;
  for (size_t j = 0; j < states.size(); ++j) {
    if (states[j] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("Stack: state ", j, " is null"));
    }
    if (absl::Status s = CheckState(*states[j], "Stack"); !s.ok()) return s;
    total += states[j]->batch_;
  }
  if (total != batched->batch_) {
    return absl::InvalidArgumentError(absl::StrCat("Stack: the states hold ", total,
                                                   " streams but the batched state holds ",
                                                   batched->batch_));
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (states[0]->layers_[i] == nullptr) continue;
    const int64_t pending = states[0]->layers_[i]->pending_frames();
    for (size_t j = 1; j < states.size(); ++j) {
      const int64_t other = states[j]->layers_[i]->pending_frames();
      if (other != pending) {
        return absl::FailedPreconditionError(absl::StrCat(
            "Stack: state ", j, " holds ", other, " pending input frame(s) in ", steps_[i].where,
            " but state 0 holds ", pending,
            "; only streams fed the same number of frames modulo the strides can be stacked"));
      }
    }
  }
  int64_t row = 0;
  for (NetworkState* s : states) {
    for (int64_t b = 0; b < s->batch_; ++b, ++row) {
      for (size_t i = 0; i < steps_.size(); ++i) {
        if (batched->layers_[i] != nullptr) {
          batched->layers_[i]->CopyStream(*s->layers_[i], b, row);
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Network::Unstack(const NetworkState& batched,
                              std::span<NetworkState* const> states) const {
  if (absl::Status s = CheckState(batched, "Unstack"); !s.ok()) return s;
  int64_t total = 0;
  for (size_t j = 0; j < states.size(); ++j) {
    if (states[j] == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("Unstack: state ", j, " is null"));
    }
    if (absl::Status s = CheckState(*states[j], "Unstack"); !s.ok()) return s;
    total += states[j]->batch_;
  }
  if (total != batched.batch_) {
    return absl::InvalidArgumentError(absl::StrCat("Unstack: the states hold ", total,
                                                   " streams but the batched state holds ",
                                                   batched.batch_));
  }
  int64_t row = 0;
  for (NetworkState* s : states) {
    for (int64_t b = 0; b < s->batch_; ++b, ++row) {
      for (size_t i = 0; i < steps_.size(); ++i) {
        if (s->layers_[i] != nullptr) s->layers_[i]->CopyStream(*batched.layers_[i], row, b);
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace auris::nn
