// Neural voice activity detection from a model file of task "vad" (recipe:
// models/recipes/vad/recipe.py): the input, resampled to the model's rate (16 kHz), goes through
// the standard log-mel front end with the file's global CMVN (ARCHITECTURE §8) and a causal
// network that gives P(speech) per 10 ms frame: output frame t is about model samples
// [160 t, 160 t + 160). With the file's streaming.look_ahead_frames L (0..kMaxLookAheadFrames)
// the network's output at analysis frame t + L decides frame t, so frame t is known once the
// 25 ms analysis frame [160 (t + L), 160 (t + L) + 400) is complete (15 + 10 L ms after the
// frame it decides); at Flush the last L frames are decided by running the network on L rows
// of digital silence (the recipe's `probabilities`). Decisions: hysteresis and hangover on P, the
// recipe's `decide` frame for frame (speech starts at P >= threshold_on, continues while
// P >= threshold_off, and ends after hangover_frames frames below it). Events carry sample
// offsets at the stream's input rate.
// NeuralVad is immutable after Load() and thread-safe; a NeuralVadStream belongs to one thread
// at a time. A steady-state Accept() allocates nothing in the network (its workspace is reused).
#ifndef AURIS_MODELS_VAD_NEURAL_VAD_H_
#define AURIS_MODELS_VAD_NEURAL_VAD_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/feature_extractor.h"
#include "dsp/vad.h"
#include "models/asr/log_mel_front_end.h"
#include "nn/backend.h"
#include "nn/network.h"
#include "nn/network_runner.h"
#include "nn/workspace.h"

namespace auris::models {

// The metadata field "vad" of the model file; every field optional (defaults below).
struct NeuralVadDecision {
  float threshold_on = 0.5f;      // 0..1, >= threshold_off
  float threshold_off = 0.5f;     // 0..1
  int hangover_frames = 0;        // 0..1000 frames of 10 ms
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and its range
};

struct NeuralVadFrame {
  int64_t index = 0;  // 10 ms frame number since the stream started
  float probability = 0.0f;
  bool speech = false;
};

class NeuralVadStream;

class NeuralVad {
 public:
  // Loads and checks the model file: task "vad", a logmel front end, one output channel; the
  // network runs on `backend`. NOT_FOUND / INVALID_ARGUMENT naming the file and what is wrong;
  // FAILED_PRECONDITION / UNIMPLEMENTED when `backend` cannot run it.
  static absl::StatusOr<std::unique_ptr<NeuralVad>> Load(
      const std::string& path, nn::BackendKind backend = nn::BackendKind::kCpu);
  // `runner` executes the same model file (LoadNeuralModel); null = `network` on the CPU.
  static absl::StatusOr<std::unique_ptr<NeuralVad>> Create(
      std::unique_ptr<const nn::Network> network, const std::string& name,
      std::unique_ptr<const nn::NetworkRunner> runner = nullptr);

  // input_rate_hz in 8000..48000; `decision` overrides the file's (validated).
  // INVALID_ARGUMENT otherwise.
  absl::StatusOr<std::unique_ptr<NeuralVadStream>> CreateStream(int input_rate_hz) const;
  absl::StatusOr<std::unique_ptr<NeuralVadStream>> CreateStream(
      int input_rate_hz, const NeuralVadDecision& decision) const;

  const NeuralVadDecision& decision() const { return decision_; }
  const nn::Network& network() const { return *network_; }
  // Executes the network on the backend chosen at load (streams call only this).
  const nn::NetworkRunner& runner() const { return *runner_; }
  int model_rate_hz() const { return features_.sample_rate; }
  int frame_samples() const { return features_.hop; }  // model samples per output frame
  // Frames between the newest analysis frame and the frame it decides (0..kMaxLookAheadFrames).
  int look_ahead_frames() const { return look_ahead_frames_; }
  static constexpr int kMaxLookAheadFrames = 100;

 private:
  friend class NeuralVadStream;  // reads silence_row_
  NeuralVad() = default;
  std::unique_ptr<const nn::Network> network_;
  std::unique_ptr<const nn::NetworkRunner> runner_;  // after network_: may point into it
  dsp::FeatureConfig features_;
  NeuralVadDecision decision_;
  int look_ahead_frames_ = 0;
  std::vector<float> silence_row_;  // normalised log-mel row of digital silence (feature_dim)
  std::string name_;
};

class NeuralVadStream {
 public:
  // Mono samples in [-1, 1] at the input rate. Appends one frame per decided 10 ms frame and
  // any speech begin/end events (either output may be null). Frames and events depend only on
  // the samples, never on how they were split.
  absl::Status Accept(std::span<const float> samples, std::vector<NeuralVadFrame>* frames,
                      std::vector<dsp::VadEvent>* events);
  // End of input: the remaining whole analysis frames are decided (a trailing partial one is
  // dropped, as in training), the last look_ahead_frames() frames too (see above); an open
  // speech segment ends after the last decided frame. The stream may not be used after.
  absl::Status Flush(std::vector<NeuralVadFrame>* frames, std::vector<dsp::VadEvent>* events);
  bool InSpeech() const { return speech_; }
  // Heap allocations of the network's workspace so far (steady state: constant).
  int64_t workspace_heap_allocations() const { return workspace_.heap_allocations(); }

 private:
  friend class NeuralVad;
  explicit NeuralVadStream(const NeuralVad* vad) : vad_(vad) {}
  absl::Status Process(std::span<const float> samples, bool flush,
                       std::vector<NeuralVadFrame>* frames, std::vector<dsp::VadEvent>* events);
  // Input-rate sample of the start of 10 ms frame `index`.
  long long InputSample(int64_t index) const;

  const NeuralVad* vad_;
  NeuralVadDecision decision_;
  int input_rate_hz_ = 0;
  std::unique_ptr<LogMelInput> input_;
  std::unique_ptr<nn::RunnerState> state_;
  nn::Workspace workspace_;
  std::vector<float> rows_;
  int64_t next_frame_ = 0;
  int64_t outputs_to_skip_ = 0;  // network outputs before the first decided frame (L)
  bool speech_ = false;
  int hangover_left_ = 0;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_VAD_NEURAL_VAD_H_
