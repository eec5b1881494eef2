#include "models/denoise/neural_denoise_pipeline.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dsp/audio_format.h"
#include "models/neural_model_loader.h"

namespace auris::models {
namespace {

constexpr int kReservedFrames = 16;

absl::Status CheckRate(const char* what, int rate_hz) {
  if (rate_hz >= dsp::kMinSampleRateHz && rate_hz <= dsp::kMaxSampleRateHz) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(what, " sample rate ", rate_hz, " Hz is outside ",
                                                 dsp::kMinSampleRateHz, "..",
                                                 dsp::kMaxSampleRateHz));
}

absl::Status BadModel(const ModelInfo& info, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("denoise model \"", info.name, "\": ", what));
}

// (num_bins,) CMVN statistics from the network's extra tensors; both or neither.
absl::Status LoadCmvn(const ModelInfo& info, const nn::Network& network, int num_bins,
                      std::vector<float>* mean, std::vector<float>* inverse_std) {
  const nn::TensorMap& extra = network.extra_tensors();
  const auto m = extra.find("cmvn.mean");
  const auto s = extra.find("cmvn.std");
  if (m == extra.end() && s == extra.end()) return absl::OkStatus();
  if (m == extra.end() || s == extra.end()) {
    return BadModel(info, "tensors \"cmvn.mean\" and \"cmvn.std\" must be present together");
  }
  for (const auto* t : {&m->second, &s->second}) {
    if (absl::Status st = nn::CheckShape(t->shape(), nn::Shape{num_bins}, "cmvn tensor");
        !st.ok()) {
      return BadModel(info, std::string(st.message()));
    }
  }
  mean->assign(m->second.data(), m->second.data() + num_bins);
  inverse_std->resize(num_bins);
  for (int k = 0; k < num_bins; ++k) {
    const float sd = s->second[k];
    if (!(sd > 0.0f) || !std::isfinite(sd)) {
      return BadModel(info, absl::StrCat("cmvn.std[", k, "] = ", sd, " must be positive"));
    }
    (*inverse_std)[k] = 1.0f / sd;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> NeuralDenoisePipeline::Create(
    ModelInfo info, std::unique_ptr<const nn::Network> network,
    std::unique_ptr<const nn::NetworkRunner> runner) {
  if (info.task != kTaskDenoise) {
    return absl::InvalidArgumentError(
        absl::StrCat("model \"", info.name, "\" has task \"", info.task,
                     "\"; a neural denoiser needs a \"denoise\" model file"));
  }
  const nn::ModelMetadata& meta = network->metadata();
  if (meta.task != kTaskDenoise) {
    return BadModel(info,
                    absl::StrCat("the model file's task is \"", meta.task, "\", not \"denoise\""));
  }
  if (meta.front_end_type != "stft_mask") {
    return BadModel(info, absl::StrCat("front_end type \"", meta.front_end_type,
                                       "\" is not supported for denoising; expected stft_mask"));
  }
  absl::StatusOr<StftMaskFrontEnd> front_end =
      StftMaskFrontEnd::FromJson(meta.front_end_json, info.name);
  if (!front_end.ok()) return front_end.status();
  if (absl::Status s = CheckRate("model", meta.sample_rate_hz); !s.ok()) {
    return BadModel(info, std::string(s.message()));
  }
  const int bins = front_end->num_bins();
  if (network->input_channels() != bins || network->output_channels() != bins) {
    return BadModel(info, absl::StrCat("the network maps ", network->input_channels(), " -> ",
                                       network->output_channels(),
                                       " channels; the stft_mask front end with n_fft ",
                                       front_end->n_fft, " needs ", bins, " -> ", bins));
  }
  if (network->subsampling() != 1) {
    return BadModel(info, absl::StrCat("the network subsamples time by ", network->subsampling(),
                                       "; a mask needs one output frame per STFT frame"));
  }
  auto pipeline = std::unique_ptr<NeuralDenoisePipeline>(new NeuralDenoisePipeline());
  if (absl::Status s =
          LoadCmvn(info, *network, bins, &pipeline->cmvn_mean_, &pipeline->cmvn_inverse_std_);
      !s.ok()) {
    return s;
  }
  info.sample_rate_hz = meta.sample_rate_hz;
  info.streaming = true;
  pipeline->info_ = std::move(info);
  pipeline->front_end_ = *std::move(front_end);
  pipeline->network_ = std::move(network);
  pipeline->runner_ = RunnerOrCpu(std::move(runner), pipeline->network_.get());
  return pipeline;
}

absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> NeuralDenoisePipeline::Load(
    ModelInfo info, const std::string& path, nn::BackendKind backend) {
  absl::StatusOr<NeuralNetwork> loaded = LoadNeuralModel(path, &info, backend);
  if (!loaded.ok()) return loaded.status();
  return Create(std::move(info), std::move(loaded->network), std::move(loaded->runner));
}

absl::StatusOr<std::unique_ptr<DenoiseStream>> NeuralDenoisePipeline::CreateStream(
    int input_rate_hz, int output_rate_hz) const {
  absl::StatusOr<std::unique_ptr<NeuralDenoiseStream>> stream =
      NeuralDenoiseStream::Create(this, input_rate_hz, output_rate_hz);
  if (!stream.ok()) return stream.status();
  return std::unique_ptr<DenoiseStream>(*std::move(stream));
}

NeuralDenoiseStream::NeuralDenoiseStream(const NeuralDenoisePipeline* pipeline)
    : pipeline_(pipeline), num_bins_(pipeline->front_end().num_bins()) {}

absl::StatusOr<std::unique_ptr<NeuralDenoiseStream>> NeuralDenoiseStream::Create(
    const NeuralDenoisePipeline* pipeline, int input_rate_hz, int output_rate_hz) {
  if (absl::Status s = CheckRate("input", input_rate_hz); !s.ok()) return s;
  if (absl::Status s = CheckRate("output", output_rate_hz); !s.ok()) return s;
  auto stream = std::unique_ptr<NeuralDenoiseStream>(new NeuralDenoiseStream(pipeline));
  stream->input_rate_hz_ = input_rate_hz;
  stream->output_rate_hz_ = output_rate_hz;
  const int model_rate = pipeline->model_rate_hz();
  if (input_rate_hz != model_rate) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(input_rate_hz, model_rate);
    if (!r.ok()) return r.status();
    stream->to_model_rate_ = *std::move(r);
  }
  if (output_rate_hz != model_rate) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(model_rate, output_rate_hz);
    if (!r.ok()) return r.status();
    stream->to_output_rate_ = *std::move(r);
  }
  const dsp::StftConfig config = pipeline->front_end().stft_config();
  absl::StatusOr<std::unique_ptr<dsp::StftAnalyzer>> stft = dsp::StftAnalyzer::Create(config);
  if (!stft.ok()) return stft.status();
  stream->stft_ = *std::move(stft);
  absl::StatusOr<std::unique_ptr<dsp::OverlapAddSynthesizer>> synth =
      dsp::OverlapAddSynthesizer::Create(config);
  if (!synth.ok()) return synth.status();
  stream->synthesizer_ = *std::move(synth);
  absl::StatusOr<std::unique_ptr<nn::RunnerState>> state = pipeline->runner().InitState(1);
  if (!state.ok()) return state.status();
  stream->state_ = *std::move(state);
  const int bins = stream->num_bins_;
  stream->frames_.reserve(static_cast<size_t>(kReservedFrames) * bins);
  stream->features_.reserve(static_cast<size_t>(kReservedFrames) * bins);
  stream->enhanced_.reserve(static_cast<size_t>(kReservedFrames) * config.hop + config.win_length);
  stream->resampled_.reserve(static_cast<size_t>(kReservedFrames) * config.hop);
  // Leading zeros: every input sample is then covered by all the frames overlapping it.
  const std::vector<float> zeros(config.win_length - config.hop, 0.0f);
  stream->stft_->Accept(zeros, &stream->frames_);
  stream->to_skip_ = static_cast<int>(zeros.size());
  return stream;
}

int NeuralDenoiseStream::DelaySamples() const {
  const dsp::StftConfig config = pipeline_->front_end().stft_config();
  const long long model = config.win_length - config.hop;
  const long long rate = pipeline_->model_rate_hz();
  return static_cast<int>((model * input_rate_hz_ + rate - 1) / rate);
}

absl::Status NeuralDenoiseStream::Accept(std::span<const float> input, std::vector<float>* out) {
  input_samples_ += static_cast<long long>(input.size());
  const size_t before = out->size();
  absl::Status status;
  if (to_model_rate_) {
    resampled_.clear();
    to_model_rate_->Accept(input, &resampled_);
    status = Process(resampled_, out);
  } else {
    status = Process(input, out);
  }
  output_samples_ += static_cast<long long>(out->size() - before);
  return status;
}

absl::Status NeuralDenoiseStream::Flush(std::vector<float>* out) {
  const size_t before = out->size();
  if (to_model_rate_) {
    resampled_.clear();
    to_model_rate_->Flush(&resampled_);
    if (absl::Status s = Process(resampled_, out); !s.ok()) return s;
  }
  frames_.clear();
  stft_->Flush(&frames_);
  enhanced_.clear();
  if (absl::Status s = RunFrames(); !s.ok()) return s;
  synthesizer_->Flush(&enhanced_);
  Emit(out);
  if (to_output_rate_) to_output_rate_->Flush(out);
  // Two rate conversions may round the length twice: settle on the input's length converted.
  const long long expected =
      (2 * input_samples_ * output_rate_hz_ + input_rate_hz_) / (2LL * input_rate_hz_);
  const long long total = output_samples_ + static_cast<long long>(out->size() - before);
  if (total > expected) {
    const long long excess = std::min<long long>(total - expected, out->size() - before);
    out->resize(out->size() - excess);
  } else if (total < expected) {
    out->resize(out->size() + (expected - total), 0.0f);
  }
  output_samples_ += static_cast<long long>(out->size() - before);
  return absl::OkStatus();
}

absl::Status NeuralDenoiseStream::Process(std::span<const float> model_rate,
                                          std::vector<float>* out) {
  model_in_samples_ += static_cast<long long>(model_rate.size());
  frames_.clear();
  stft_->Accept(model_rate, &frames_);
  enhanced_.clear();
  if (absl::Status s = RunFrames(); !s.ok()) return s;
  Emit(out);
  return absl::OkStatus();
}

absl::Status NeuralDenoiseStream::RunFrames() {
  const int bins = num_bins_;
  const int64_t frames = static_cast<int64_t>(frames_.size()) / bins;
  if (frames == 0) return absl::OkStatus();
  const float floor = pipeline_->front_end().log_floor;
  const std::span<const float> mean = pipeline_->cmvn_mean();
  const std::span<const float> inverse_std = pipeline_->cmvn_inverse_std();
  features_.resize(static_cast<size_t>(frames) * bins);
  for (int64_t i = 0; i < frames * bins; ++i) {
    features_[i] = std::log(std::norm(frames_[i]) + floor);
  }
  if (!mean.empty()) {
    for (int64_t t = 0; t < frames; ++t) {
      float* row = features_.data() + t * bins;
      for (int k = 0; k < bins; ++k) row[k] = (row[k] - mean[k]) * inverse_std[k];
    }
  }
  workspace_.Reset();
  absl::StatusOr<nn::TensorView> mask = pipeline_->runner().Forward(
      nn::ConstTensorView(features_.data(), nn::Shape{1, frames, bins}), state_.get(), &workspace_);
  if (!mask.ok()) return mask.status();
  if (mask->shape != nn::Shape{1, frames, bins}) {
    return absl::InternalError(absl::StrCat("denoise model \"", pipeline_->info().name,
                                            "\" returned a mask of shape ", mask->shape.ToString(),
                                            " for ", frames, " frames"));
  }
  for (int64_t t = 0; t < frames; ++t) {
    std::complex<float>* bins_t = frames_.data() + t * bins;
    const float* gain = mask->data + t * bins;
    for (int k = 0; k < bins; ++k) bins_t[k] *= gain[k];
    synthesizer_->Accept(std::span<const std::complex<float>>(bins_t, bins), &enhanced_);
  }
  return absl::OkStatus();
}

void NeuralDenoiseStream::Emit(std::vector<float>* out) {
  std::span<const float> ready(enhanced_);
  const size_t skip = std::min<size_t>(to_skip_, ready.size());
  to_skip_ -= static_cast<int>(skip);
  ready = ready.subspan(skip);
  // The zero-padded tail frames reach past the input: release no more than came in.
  const long long room = std::max(0LL, model_in_samples_ - model_out_samples_);
  ready = ready.subspan(0, std::min<size_t>(ready.size(), room));
  model_out_samples_ += static_cast<long long>(ready.size());
  if (to_output_rate_) {
    to_output_rate_->Accept(ready, out);
  } else {
    out->insert(out->end(), ready.begin(), ready.end());
  }
}

}  // namespace auris::models
