// Arousal and valence over time from a model file of task "emotion" with the front end
// {"type": "waveform_frames", "frame_samples": 160}: the input, resampled to the model's rate,
// is cut into non-overlapping frames (1, T, frame_samples); the network maps them to
// (1, T / subsampling, 2) = (arousal, valence) in [-1, 1]. Native output frame j covers model
// samples [j P, (j + 1) P), P = frame_samples * subsampling (640 at 16 kHz = 40 ms = 25 Hz).
// A voice activity detector (dsp/vad.h) marks native frames as speech for the summary.
// EmotionPipeline is immutable after Create() and thread-safe; an EmotionStream belongs to one
// thread at a time.
#ifndef AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_
#define AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/resampler.h"
#include "dsp/vad.h"
#include "models/model_info.h"
#include "nn/network.h"
#include "nn/workspace.h"

namespace auris::models {

// One reported frame: the mean over the native frames it spans.
struct EmotionFrame {
  int64_t start_ns = 0;  // from the start of the audio
  int64_t end_ns = 0;
  float arousal = 0.0f;  // -1 (calm) .. +1 (excited)
  float valence = 0.0f;  // -1 (negative) .. +1 (positive)
};

// Means over the native frames marked as speech (at least half of the VAD's 10 ms frames in
// the frame are speech), or over all frames when none was.
struct EmotionSummary {
  float arousal = 0.0f;
  float valence = 0.0f;
  int64_t speech_ns = 0;     // speech frames x the native period; 0 when none was speech
  int64_t frames = 0;        // native frames pooled into the means
  bool over_speech = false;  // false: no frame was speech, the means are over all frames
};

class EmotionStream;

class EmotionPipeline {
 public:
  // `info` must have task "emotion". The network must take frame_samples channels and give 2.
  // INVALID_ARGUMENT naming the model and the mismatch otherwise.
  static absl::StatusOr<std::unique_ptr<EmotionPipeline>> Create(
      ModelInfo info, std::unique_ptr<const nn::Network> network);
  // Loads the model file at `path`, completes `info` from it (LoadNeuralModel) and
  // Create()s. NOT_FOUND / INVALID_ARGUMENT naming the file.
  static absl::StatusOr<std::unique_ptr<EmotionPipeline>> Load(ModelInfo info,
                                                               const std::string& path);

  // input_rate_hz in 8000..48000. frame_period_ms: 0 = native; else a positive multiple of
  // the native period, and each reported frame averages that many native frames.
  // INVALID_ARGUMENT otherwise, naming the native period.
  absl::StatusOr<std::unique_ptr<EmotionStream>> CreateStream(int input_rate_hz,
                                                              int frame_period_ms = 0) const;
  // Native frames per reported frame for `frame_period_ms` (0 -> 1); INVALID_ARGUMENT as above.
  absl::StatusOr<int> FramesPerReport(int frame_period_ms) const;

  const ModelInfo& info() const { return info_; }
  const nn::Network& network() const { return *network_; }
  int model_rate_hz() const { return info_.sample_rate_hz; }
  int frame_samples() const { return frame_samples_; }
  // Model samples per native output frame (P above).
  int64_t period_samples() const { return frame_samples_ * network_->subsampling(); }
  // P in nanoseconds (40'000'000 for the reference model).
  int64_t period_ns() const;

 private:
  EmotionPipeline() = default;

  ModelInfo info_;
  std::unique_ptr<const nn::Network> network_;
  int frame_samples_ = 0;
};

class EmotionStream {
 public:
  // Mono samples in [-1, 1] at the input rate. Appends the frames completed so far.
  // Frames depend only on the samples, never on how they were split.
  absl::Status Accept(std::span<const float> samples, std::vector<EmotionFrame>* frames);
  // End of input: appends the remaining frames (a partial group of native frames as a shorter
  // frame). A partial last input frame is dropped, as the recipe's training does; so are
  // input frames short of a whole output frame when the network pools (floor T / k).
  // The stream may not be used after.
  absl::Status Flush(std::vector<EmotionFrame>* frames);
  // Over the native frames so far; complete after Flush().
  EmotionSummary Summary() const;

  // Heap allocations of the network's workspace so far (steady state: constant).
  int64_t workspace_heap_allocations() const { return workspace_.heap_allocations(); }

 private:
  friend class EmotionPipeline;
  struct Native {
    int64_t index = 0;
    float arousal = 0.0f;
    float valence = 0.0f;
  };
  explicit EmotionStream(const EmotionPipeline* pipeline);
  absl::Status Process(std::span<const float> model_rate, std::vector<EmotionFrame>* frames);
  absl::Status RunNetwork(int64_t num_frames, std::vector<EmotionFrame>* frames);
  void AddNative(const Native& native, std::vector<EmotionFrame>* frames);
  void EmitGroup(std::vector<EmotionFrame>* frames);
  void ResolveSpeech(bool final);

  const EmotionPipeline* const pipeline_;
  int frames_per_report_ = 1;
  std::unique_ptr<dsp::Resampler> to_model_rate_;  // null when the input is at the model rate
  std::unique_ptr<dsp::Vad> vad_;
  std::unique_ptr<nn::NetworkState> state_;
  nn::Workspace workspace_;
  std::vector<float> resampled_;
  std::vector<float> input_frames_;  // (T, frame_samples): a partial frame, then whole ones
  size_t partial_ = 0;               // samples of the partial frame at the front
  int64_t next_native_ = 0;
  // Reported-frame group in progress.
  int64_t group_start_ = 0;
  int group_size_ = 0;
  double group_arousal_ = 0.0;
  double group_valence_ = 0.0;
  // Native frames waiting for the VAD to decide all of their span.
  std::vector<Native> waiting_;
  std::vector<dsp::VadFrame> vad_frames_;  // decided, not yet assigned to a native frame
  std::vector<dsp::VadFrame> vad_new_;
  int64_t vad_decided_until_ = 0;  // model samples covered by decided VAD frames
  // Summary sums.
  double sum_arousal_ = 0.0, sum_valence_ = 0.0;
  double speech_arousal_ = 0.0, speech_valence_ = 0.0;
  int64_t count_ = 0, speech_count_ = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_
