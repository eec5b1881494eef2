#include "models/emotion/emotion_pipeline.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dsp/audio_format.h"
#include "models/neural_model_loader.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

constexpr int kReservedFrames = 64;
constexpr int kOutputs = 2;  // arousal, valence

absl::Status BadModel(const ModelInfo& info, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("emotion model \"", info.name, "\": ", what));
}

// {"type": "waveform_frames", "frame_samples": N} -> N.
absl::StatusOr<int> ParseWaveformFrames(const ModelInfo& info, const std::string& json) {
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return BadModel(info, "front_end is not a JSON object");
  for (const auto& [key, value] : j.items()) {
    if (key != "type" && key != "frame_samples") {
      return BadModel(info, absl::StrCat("front_end (waveform_frames): unknown field \"", key,
                                         "\"; allowed: type, frame_samples"));
    }
  }
  if (!j.contains("type") || j["type"] != Json("waveform_frames")) {
    return BadModel(info, absl::StrCat("front_end type ", j.value("type", Json()).dump(),
                                       " is not supported for emotion; expected waveform_frames"));
  }
  if (!j.contains("frame_samples") || !j["frame_samples"].is_number_integer() ||
      j["frame_samples"].get<int64_t>() < 1 || j["frame_samples"].get<int64_t>() > 65536) {
    return BadModel(info,
                    "front_end (waveform_frames): field \"frame_samples\" must be an "
                    "integer in 1..65536");
  }
  return j["frame_samples"].get<int>();
}

int64_t Nanoseconds(int64_t samples, int rate_hz) { return samples * 1000000000LL / rate_hz; }

}  // namespace

absl::StatusOr<std::unique_ptr<EmotionPipeline>> EmotionPipeline::Create(
    ModelInfo info, std::unique_ptr<const nn::Network> network,
    std::unique_ptr<const nn::NetworkRunner> runner) {
  if (info.task != kTaskEmotion) {
    return absl::InvalidArgumentError(absl::StrCat("model \"", info.name, "\" has task \"",
                                                   info.task,
                                                   "\"; an emotion model needs task \"emotion\""));
  }
  const nn::ModelMetadata& meta = network->metadata();
  if (meta.task != kTaskEmotion) {
    return BadModel(info,
                    absl::StrCat("the model file's task is \"", meta.task, "\", not \"emotion\""));
  }
  if (meta.front_end_type != "waveform_frames") {
    return BadModel(info,
                    absl::StrCat("front_end type \"", meta.front_end_type,
                                 "\" is not supported for emotion; expected waveform_frames"));
  }
  absl::StatusOr<int> frame_samples = ParseWaveformFrames(info, meta.front_end_json);
  if (!frame_samples.ok()) return frame_samples.status();
  if (meta.sample_rate_hz < dsp::kMinSampleRateHz || meta.sample_rate_hz > dsp::kMaxSampleRateHz) {
    return BadModel(info, absl::StrCat("sample_rate_hz ", meta.sample_rate_hz, " is outside ",
                                       dsp::kMinSampleRateHz, "..", dsp::kMaxSampleRateHz));
  }
  if (network->input_channels() != *frame_samples || network->output_channels() != kOutputs) {
    return BadModel(info, absl::StrCat("the network maps ", network->input_channels(), " -> ",
                                       network->output_channels(), " channels; frames of ",
                                       *frame_samples, " samples need ", *frame_samples, " -> ",
                                       kOutputs, " (arousal, valence)"));
  }
  if (network->subsampling() < 1) {
    return BadModel(info, absl::StrCat("subsampling ", network->subsampling(), " must be >= 1"));
  }
  auto pipeline = std::unique_ptr<EmotionPipeline>(new EmotionPipeline());
  info.sample_rate_hz = meta.sample_rate_hz;
  info.streaming = true;
  pipeline->info_ = std::move(info);
  pipeline->frame_samples_ = *frame_samples;
  pipeline->network_ = std::move(network);
  pipeline->runner_ = RunnerOrCpu(std::move(runner), pipeline->network_.get());
  return pipeline;
}

absl::StatusOr<std::unique_ptr<EmotionPipeline>> EmotionPipeline::Load(ModelInfo info,
                                                                       const std::string& path,
                                                                       nn::BackendKind backend) {
  absl::StatusOr<NeuralNetwork> loaded = LoadNeuralModel(path, &info, backend);
  if (!loaded.ok()) return loaded.status();
  return Create(std::move(info), std::move(loaded->network), std::move(loaded->runner));
}

int64_t EmotionPipeline::period_ns() const {
  return Nanoseconds(period_samples(), model_rate_hz());
}

absl::StatusOr<int> EmotionPipeline::FramesPerReport(int frame_period_ms) const {
  const int64_t native = 1000 * period_samples();  // ms x rate of one native frame
  const int64_t asked = static_cast<int64_t>(frame_period_ms) * model_rate_hz();
  if (frame_period_ms < 0 || asked % native != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "frame_period_ms ", frame_period_ms, " is not allowed: use 0 (the model's native ",
        static_cast<double>(period_ns()) / 1e6, " ms) or a positive multiple of it"));
  }
  return frame_period_ms == 0 ? 1 : static_cast<int>(asked / native);
}

absl::StatusOr<std::unique_ptr<EmotionStream>> EmotionPipeline::CreateStream(
    int input_rate_hz, int frame_period_ms) const {
  if (input_rate_hz < dsp::kMinSampleRateHz || input_rate_hz > dsp::kMaxSampleRateHz) {
    return absl::InvalidArgumentError(absl::StrCat("input sample rate ", input_rate_hz,
                                                   " Hz is outside ", dsp::kMinSampleRateHz, "..",
                                                   dsp::kMaxSampleRateHz));
  }
  absl::StatusOr<int> frames_per_report = FramesPerReport(frame_period_ms);
  if (!frames_per_report.ok()) return frames_per_report.status();
  auto stream = std::unique_ptr<EmotionStream>(new EmotionStream(this));
  stream->frames_per_report_ = *frames_per_report;
  if (input_rate_hz != model_rate_hz()) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(input_rate_hz, model_rate_hz());
    if (!r.ok()) return r.status();
    stream->to_model_rate_ = *std::move(r);
  }
  absl::StatusOr<std::unique_ptr<nn::RunnerState>> state = runner_->InitState(1);
  if (!state.ok()) return state.status();
  stream->state_ = *std::move(state);
  stream->resampled_.reserve(static_cast<size_t>(kReservedFrames) * frame_samples_);
  stream->input_frames_.reserve(static_cast<size_t>(kReservedFrames) * frame_samples_);
  stream->pooled_.reserve(kReservedFrames);
  return stream;
}

EmotionStream::EmotionStream(const EmotionPipeline* pipeline) : pipeline_(pipeline) {}

absl::Status EmotionStream::Accept(std::span<const float> samples,
                                   std::vector<EmotionFrame>* frames) {
  if (!to_model_rate_) return Process(samples, frames);
  resampled_.clear();
  to_model_rate_->Accept(samples, &resampled_);
  return Process(resampled_, frames);
}

absl::Status EmotionStream::Flush(std::vector<EmotionFrame>* frames) {
  if (to_model_rate_) {
    resampled_.clear();
    to_model_rate_->Flush(&resampled_);
    if (absl::Status s = Process(resampled_, frames); !s.ok()) return s;
  }
  input_frames_.clear();  // a partial last frame is dropped, as in training
  // Frames whose block never completed: the level of the samples there are.
  for (const Native& native : waiting_) {
    Pool(native, block_fill_ > 0
                     ? 10.0 * std::log10(block_sum_ / static_cast<double>(block_fill_) + 1e-12)
                     : kEmotionSilenceDb);
    block_fill_ = 0;
  }
  waiting_.clear();
  EmitGroup(frames);
  return absl::OkStatus();
}

absl::Status EmotionStream::Process(std::span<const float> model_rate,
                                    std::vector<EmotionFrame>* frames) {
  if (model_rate.empty()) return absl::OkStatus();
  MeasureBlocks(model_rate);
  input_frames_.insert(input_frames_.end(), model_rate.begin(), model_rate.end());
  const size_t fs = static_cast<size_t>(pipeline_->frame_samples());
  const size_t whole = input_frames_.size() / fs;
  if (whole > 0) {
    if (absl::Status s = RunNetwork(static_cast<int64_t>(whole), frames); !s.ok()) return s;
    const size_t used = whole * fs;
    std::copy(input_frames_.begin() + used, input_frames_.end(), input_frames_.begin());
    input_frames_.resize(input_frames_.size() - used);
  }
  return absl::OkStatus();
}

void EmotionStream::MeasureBlocks(std::span<const float> model_rate) {
  const int64_t period = pipeline_->period_samples();
  for (const float v : model_rate) {
    block_sum_ += static_cast<double>(v) * v;
    if (++block_fill_ == period) {
      // As data.py: 10 log10(mean x^2 + 1e-12) over the block, in float64.
      block_db_.push_back(10.0 * std::log10(block_sum_ / static_cast<double>(period) + 1e-12));
      block_sum_ = 0.0;
      block_fill_ = 0;
    }
  }
}

absl::Status EmotionStream::RunNetwork(int64_t num_frames, std::vector<EmotionFrame>* frames) {
  const int64_t fs = pipeline_->frame_samples();
  workspace_.Reset();
  absl::StatusOr<nn::TensorView> out = pipeline_->runner().Forward(
      nn::ConstTensorView(input_frames_.data(), nn::Shape{1, num_frames, fs}), state_.get(),
      &workspace_);
  if (!out.ok()) return out.status();
  if (out->shape.rank() != 3 || out->shape[0] != 1 || out->shape[2] != kOutputs) {
    return absl::InternalError(absl::StrCat("emotion model \"", pipeline_->info().name,
                                            "\" returned shape ", out->shape.ToString(),
                                            "; expected (1, T, 2)"));
  }
  for (int64_t t = 0; t < out->shape[1]; ++t) {
    Native native;
    native.index = next_native_++;
    native.arousal = out->data[t * kOutputs];
    native.valence = out->data[t * kOutputs + 1];
    AddNative(native, frames);
  }
  PoolMeasured();
  return absl::OkStatus();
}

void EmotionStream::AddNative(const Native& native, std::vector<EmotionFrame>* frames) {
  waiting_.push_back(native);
  sum_arousal_ += native.arousal;
  sum_valence_ += native.valence;
  ++count_;
  if (group_size_ == 0) group_start_ = native.index;
  group_arousal_ += native.arousal;
  group_valence_ += native.valence;
  if (++group_size_ == frames_per_report_) EmitGroup(frames);
}

void EmotionStream::PoolMeasured() {
  // A network may emit native frame j before the last samples of block j (a strided conv
  // sees them later), so frames wait here for their block's level.
  while (!waiting_.empty() && !block_db_.empty()) {
    Pool(waiting_.front(), block_db_.front());
    waiting_.pop_front();
    block_db_.pop_front();
  }
}

void EmotionStream::Pool(const Native& native, double db) {
  max_db_ = std::max(max_db_, db);
  if (db > SpeechThresholdDb()) pooled_.push_back({db, native.arousal, native.valence});
  if (pooled_.size() >= prune_at_) {
    // The floor only rises: frames at or below it now can never count again.
    const double floor = SpeechThresholdDb();
    std::erase_if(pooled_, [floor](const Pooled& p) { return p.db <= floor; });
    prune_at_ = std::max<size_t>(1024, 2 * pooled_.size());
  }
}

void EmotionStream::EmitGroup(std::vector<EmotionFrame>* frames) {
  if (group_size_ == 0) return;
  const int64_t period = pipeline_->period_samples();
  const int rate = pipeline_->model_rate_hz();
  EmotionFrame frame;
  frame.start_ns = Nanoseconds(group_start_ * period, rate);
  frame.end_ns = Nanoseconds((group_start_ + group_size_) * period, rate);
  frame.arousal = static_cast<float>(group_arousal_ / group_size_);
  frame.valence = static_cast<float>(group_valence_ / group_size_);
  frames->push_back(frame);
  group_size_ = 0;
  group_arousal_ = 0.0;
  group_valence_ = 0.0;
}

double EmotionStream::SpeechThresholdDb() const {
  return std::max(max_db_ - kEmotionSpeechFloorDb, kEmotionSilenceDb);
}

EmotionSummary EmotionStream::Summary() const {
  EmotionSummary s;
  const double floor = SpeechThresholdDb();
  double arousal = 0.0, valence = 0.0;
  int64_t speech = 0;
  for (const Pooled& p : pooled_) {
    if (p.db <= floor) continue;
    arousal += p.arousal;
    valence += p.valence;
    ++speech;
  }
  s.over_speech = speech > 0;
  if (!s.over_speech) {
    arousal = sum_arousal_;
    valence = sum_valence_;
  }
  s.frames = s.over_speech ? speech : count_;
  s.speech_ns = Nanoseconds(speech * pipeline_->period_samples(), pipeline_->model_rate_hz());
  if (s.frames > 0) {
    s.arousal = static_cast<float>(arousal / static_cast<double>(s.frames));
    s.valence = static_cast<float>(valence / static_cast<double>(s.frames));
  }
  return s;
}

}  // namespace auris::models
