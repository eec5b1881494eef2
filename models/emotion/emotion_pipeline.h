// Arousal and valence over time from a model file of task "emotion" with the front end
// {"type": "waveform_frames", "frame_samples": 160}: the input, resampled to the model's rate,
// is cut into non-overlapping frames (1, T, frame_samples); the network maps them to
// (1, T / subsampling, 2) = (arousal, valence) in [-1, 1]. Native output frame j covers model
// samples [j P, (j + 1) P), P = frame_samples * subsampling (640 at 16 kHz = 40 ms = 25 Hz).
// The utterance summary pools native frames that are speech by the recipe's energy rule
// (models/recipes/emotion/data.py, speech_mask), the rule the model was evaluated with: frame j
// is speech when the mean power of its samples [j P, (j + 1) P), in dB, is within
// kEmotionSpeechFloorDb of the loudest frame so far and above kEmotionSilenceDb. The rule is
// relative to the loudest frame, so scaling the input changes nothing but rounding.
// EmotionPipeline is immutable after Create() and thread-safe; an EmotionStream belongs to one
// thread at a time.
#ifndef AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_
#define AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/resampler.h"
#include "models/model_info.h"
#include "nn/backend.h"
#include "nn/network.h"
#include "nn/network_runner.h"
#include "nn/workspace.h"

namespace auris::models {

// Speech frames are within this many dB of the loudest native frame (data.py: floor_db).
inline constexpr double kEmotionSpeechFloorDb = 35.0;
// Frames at or below this mean power (dB re full scale 1.0; 16-bit rounding noise is about
// -101 dB) are never speech, so digital silence is reported as no speech.
inline constexpr double kEmotionSilenceDb = -100.0;

// One reported frame: the mean over the native frames it spans.
struct EmotionFrame {
  int64_t start_ns = 0;  // from the start of the audio
  int64_t end_ns = 0;
  float arousal = 0.0f;  // -1 (calm) .. +1 (excited)
  float valence = 0.0f;  // -1 (negative) .. +1 (positive)
};

// Means over the native frames that are speech by the energy rule above, or over all frames
// when none was (only when every frame is at or below kEmotionSilenceDb).
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
  // INVALID_ARGUMENT naming the model and the mismatch otherwise. `runner` executes the same
  // model file (LoadNeuralModel); null = `network` on the CPU.
  static absl::StatusOr<std::unique_ptr<EmotionPipeline>> Create(
      ModelInfo info, std::unique_ptr<const nn::Network> network,
      std::unique_ptr<const nn::NetworkRunner> runner = nullptr);
  // Loads the model file at `path` for `backend`, completes `info` from it (LoadNeuralModel)
  // and Create()s. NOT_FOUND / INVALID_ARGUMENT naming the file; FAILED_PRECONDITION /
  // UNIMPLEMENTED when `backend` cannot run it.
  static absl::StatusOr<std::unique_ptr<EmotionPipeline>> Load(
      ModelInfo info, const std::string& path, nn::BackendKind backend = nn::BackendKind::kCpu);

  // input_rate_hz in 8000..48000. frame_period_ms: 0 = native; else a positive multiple of
  // the native period, and each reported frame averages that many native frames.
  // INVALID_ARGUMENT otherwise, naming the native period.
  absl::StatusOr<std::unique_ptr<EmotionStream>> CreateStream(int input_rate_hz,
                                                              int frame_period_ms = 0) const;
  // Native frames per reported frame for `frame_period_ms` (0 -> 1); INVALID_ARGUMENT as above.
  absl::StatusOr<int> FramesPerReport(int frame_period_ms) const;

  const ModelInfo& info() const { return info_; }
  const nn::Network& network() const { return *network_; }
  // Executes the network on the backend chosen at load (streams call only this).
  const nn::NetworkRunner& runner() const { return *runner_; }
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
  std::unique_ptr<const nn::NetworkRunner> runner_;  // after network_: may point into it
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
  // Over the native frames so far (the loudest frame so far sets the speech floor); complete
  // after Flush(). O(speech frames kept): frames that fall below the floor are dropped as it
  // rises, so the stream keeps 16 bytes per 40 ms of audio within 35 dB of its loudest frame.
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
  struct Pooled {  // a native frame that may count as speech
    double db = 0.0;
    float arousal = 0.0f;
    float valence = 0.0f;
  };
  explicit EmotionStream(const EmotionPipeline* pipeline);
  absl::Status Process(std::span<const float> model_rate, std::vector<EmotionFrame>* frames);
  absl::Status RunNetwork(int64_t num_frames, std::vector<EmotionFrame>* frames);
  void MeasureBlocks(std::span<const float> model_rate);
  void AddNative(const Native& native, std::vector<EmotionFrame>* frames);
  void PoolMeasured();
  void Pool(const Native& native, double db);
  void EmitGroup(std::vector<EmotionFrame>* frames);
  double SpeechThresholdDb() const;

  const EmotionPipeline* const pipeline_;
  int frames_per_report_ = 1;
  std::unique_ptr<dsp::Resampler> to_model_rate_;  // null when the input is at the model rate
  std::unique_ptr<nn::RunnerState> state_;
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
  // Energy rule: mean power (dB) of each whole period of model-rate samples not yet matched to
  // a native frame, and the sum over the period in progress.
  std::deque<double> block_db_;
  std::deque<Native> waiting_;  // native frames whose block is not complete yet
  double block_sum_ = 0.0;
  int64_t block_fill_ = 0;
  // Summary: frames above the floor so far, the loudest frame, sums over all frames.
  std::vector<Pooled> pooled_;
  size_t prune_at_ = 1024;  // prune pooled_ when it reaches this size
  double max_db_ = -1e300;
  double sum_arousal_ = 0.0, sum_valence_ = 0.0;
  int64_t count_ = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_EMOTION_EMOTION_PIPELINE_H_
