#include "models/vad/neural_vad.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dsp/audio_format.h"
#include "models/asr/log_mel_front_end.h"
#include "models/neural_model_loader.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

constexpr int kMaxHangoverFrames = 1000;

absl::Status BadModel(const std::string& name, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("vad model \"", name, "\": ", what));
}

absl::StatusOr<NeuralVadDecision> ParseDecision(const std::string& name, const Json& meta) {
  NeuralVadDecision d;
  if (!meta.contains("vad")) return d;
  const Json& j = meta["vad"];
  if (!j.is_object()) return BadModel(name, "metadata field \"vad\" must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "threshold_on" || key == "threshold_off") {
      if (!value.is_number()) {
        return BadModel(name, absl::StrCat("vad.", key, " must be a number in 0..1"));
      }
      (key == "threshold_on" ? d.threshold_on : d.threshold_off) = value.get<float>();
    } else if (key == "hangover_frames") {
      if (!value.is_number_integer()) {
        return BadModel(name, absl::StrCat("vad.hangover_frames must be an integer in 0..",
                                           kMaxHangoverFrames));
      }
      d.hangover_frames = value.get<int>();
    } else {
      return BadModel(name, absl::StrCat("unknown field vad.", key,
                                         "; allowed: threshold_on, threshold_off, "
                                         "hangover_frames"));
    }
  }
  if (absl::Status s = d.Validate(); !s.ok()) {
    return BadModel(name, std::string(s.message()));
  }
  return d;
}

}  // namespace

absl::Status NeuralVadDecision::Validate() const {
  if (!(threshold_off >= 0.0f && threshold_off <= 1.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("threshold_off ", threshold_off, " must be in 0..1"));
  }
  if (!(threshold_on >= threshold_off && threshold_on <= 1.0f)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "threshold_on ", threshold_on, " must be in threshold_off (", threshold_off, ")..1"));
  }
  if (hangover_frames < 0 || hangover_frames > kMaxHangoverFrames) {
    return absl::InvalidArgumentError(
        absl::StrCat("hangover_frames ", hangover_frames, " must be in 0..", kMaxHangoverFrames));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<NeuralVad>> NeuralVad::Load(const std::string& path,
                                                           nn::BackendKind backend) {
  ModelInfo info;
  info.name = path;
  info.task = kTaskVad;
  absl::StatusOr<NeuralNetwork> loaded = LoadNeuralModel(path, &info, backend);
  if (!loaded.ok()) return loaded.status();
  return Create(std::move(loaded->network), path, std::move(loaded->runner));
}

absl::StatusOr<std::unique_ptr<NeuralVad>> NeuralVad::Create(
    std::unique_ptr<const nn::Network> network, const std::string& name,
    std::unique_ptr<const nn::NetworkRunner> runner) {
  const nn::ModelMetadata& meta = network->metadata();
  if (meta.task != kTaskVad) {
    return BadModel(name,
                    absl::StrCat("the model file's task is \"", meta.task, "\", not \"vad\""));
  }
  absl::StatusOr<dsp::FeatureConfig> features =
      NetworkLogMelConfig(*network, absl::StrCat("vad model \"", name, "\""), name);
  if (!features.ok()) return features.status();
  if (network->output_channels() != 1 || network->subsampling() != 1) {
    return BadModel(name, absl::StrCat("the network gives ", network->output_channels(),
                                       " channels at subsampling ", network->subsampling(),
                                       "; a vad network gives 1 (P(speech)) per frame"));
  }
  if (meta.look_ahead_frames < 0 || meta.look_ahead_frames > kMaxLookAheadFrames) {
    return BadModel(name, absl::StrCat("streaming.look_ahead_frames ", meta.look_ahead_frames,
                                       " must be in 0..", kMaxLookAheadFrames));
  }
  const Json j = Json::parse(meta.json, nullptr, /*allow_exceptions=*/false);
  absl::StatusOr<NeuralVadDecision> decision = ParseDecision(name, j);
  if (!decision.ok()) return decision.status();
  auto vad = std::unique_ptr<NeuralVad>(new NeuralVad());
  vad->network_ = std::move(network);
  vad->runner_ = RunnerOrCpu(std::move(runner), vad->network_.get());
  vad->features_ = *std::move(features);
  vad->decision_ = *decision;
  vad->look_ahead_frames_ = static_cast<int>(meta.look_ahead_frames);
  if (vad->look_ahead_frames_ > 0) {
    // The front end's own output for one analysis frame of zeros (log floor, then CMVN).
    absl::StatusOr<std::unique_ptr<LogMelInput>> silence =
        LogMelInput::Create(vad->features_.sample_rate, vad->features_);
    if (!silence.ok()) return silence.status();
    const std::vector<float> zeros(vad->features_.frame_length, 0.0f);
    (*silence)->Accept(zeros, /*flush=*/true, &vad->silence_row_);
    if (static_cast<int>(vad->silence_row_.size()) != (*silence)->feature_dim()) {
      return absl::InternalError(absl::StrCat("vad model \"", name, "\": the front end gave ",
                                              vad->silence_row_.size(),
                                              " values for one frame of silence"));
    }
  }
  vad->name_ = name;
  return vad;
}

absl::StatusOr<std::unique_ptr<NeuralVadStream>> NeuralVad::CreateStream(int input_rate_hz) const {
  return CreateStream(input_rate_hz, decision_);
}

absl::StatusOr<std::unique_ptr<NeuralVadStream>> NeuralVad::CreateStream(
    int input_rate_hz, const NeuralVadDecision& decision) const {
  if (input_rate_hz < dsp::kMinSampleRateHz || input_rate_hz > dsp::kMaxSampleRateHz) {
    return absl::InvalidArgumentError(absl::StrCat("input sample rate ", input_rate_hz,
                                                   " Hz is outside ", dsp::kMinSampleRateHz, "..",
                                                   dsp::kMaxSampleRateHz));
  }
  if (absl::Status s = decision.Validate(); !s.ok()) return s;
  auto stream = std::unique_ptr<NeuralVadStream>(new NeuralVadStream(this));
  stream->decision_ = decision;
  stream->input_rate_hz_ = input_rate_hz;
  stream->outputs_to_skip_ = look_ahead_frames_;
  absl::StatusOr<std::unique_ptr<LogMelInput>> input =
      LogMelInput::Create(input_rate_hz, features_);
  if (!input.ok()) return input.status();
  stream->input_ = *std::move(input);
  absl::StatusOr<std::unique_ptr<nn::RunnerState>> state = runner_->InitState(1);
  if (!state.ok()) return state.status();
  stream->state_ = *std::move(state);
  return stream;
}

absl::Status NeuralVadStream::Accept(std::span<const float> samples,
                                     std::vector<NeuralVadFrame>* frames,
                                     std::vector<dsp::VadEvent>* events) {
  return Process(samples, /*flush=*/false, frames, events);
}

absl::Status NeuralVadStream::Flush(std::vector<NeuralVadFrame>* frames,
                                    std::vector<dsp::VadEvent>* events) {
  if (absl::Status s = Process({}, /*flush=*/true, frames, events); !s.ok()) return s;
  if (speech_) {
    speech_ = false;
    if (events != nullptr) {
      events->push_back({dsp::VadEvent::Type::kSpeechEnd, InputSample(next_frame_)});
    }
  }
  return absl::OkStatus();
}

long long NeuralVadStream::InputSample(int64_t index) const {
  const long long model = static_cast<long long>(index) * vad_->frame_samples();
  return model * input_rate_hz_ / vad_->model_rate_hz();
}

absl::Status NeuralVadStream::Process(std::span<const float> samples, bool flush,
                                      std::vector<NeuralVadFrame>* frames,
                                      std::vector<dsp::VadEvent>* events) {
  rows_.clear();
  input_->Accept(samples, flush, &rows_);
  if (flush) {
    for (int i = 0; i < vad_->look_ahead_frames(); ++i) {
      rows_.insert(rows_.end(), vad_->silence_row_.begin(), vad_->silence_row_.end());
    }
  }
  const int64_t dim = input_->feature_dim();
  const int64_t count = static_cast<int64_t>(rows_.size()) / dim;
  if (count == 0) return absl::OkStatus();
  workspace_.Reset();
  absl::StatusOr<nn::TensorView> out = vad_->runner().Forward(
      nn::ConstTensorView(rows_.data(), nn::Shape{1, count, dim}), state_.get(), &workspace_);
  if (!out.ok()) return out.status();
  if (out->shape.rank() != 3 || out->shape[1] != count || out->shape[2] != 1) {
    return absl::InternalError(absl::StrCat("vad network returned shape ", out->shape.ToString(),
                                            "; expected (1, ", count, ", 1)"));
  }
  for (int64_t i = 0; i < count; ++i) {
    if (outputs_to_skip_ > 0) {  // the output at analysis frame t + L decides frame t
      --outputs_to_skip_;
      continue;
    }
    const float p = out->data[i];
    const bool was = speech_;
    if (!speech_) {
      if (p >= decision_.threshold_on) {
        speech_ = true;
        hangover_left_ = decision_.hangover_frames;
      }
    } else if (p >= decision_.threshold_off) {
      hangover_left_ = decision_.hangover_frames;
    } else if (hangover_left_ > 0) {
      --hangover_left_;
    } else {
      speech_ = false;
    }
    if (events != nullptr && speech_ != was) {
      events->push_back(
          {speech_ ? dsp::VadEvent::Type::kSpeechBegin : dsp::VadEvent::Type::kSpeechEnd,
           InputSample(next_frame_)});
    }
    if (frames != nullptr) frames->push_back({next_frame_, p, speech_});
    ++next_frame_;
  }
  return absl::OkStatus();
}

}  // namespace auris::models
