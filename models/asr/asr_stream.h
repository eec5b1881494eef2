// One recognition stream: input-rate audio -> resampler -> streaming log-mel with global CMVN
// -> network (chunk by chunk, state carried) -> per-frame log-probabilities -> AsrDecoder,
// with endpointing: an utterance ends after min_trailing_silence_ms of frames where the blank
// has posterior >= 0.5 (once the utterance had a non-blank frame), or after max_utterance_ms;
// then a final result is emitted and the decoder starts afresh. Leading silence of that length
// is dropped without a result. Speech-activity events: begin at the first non-blank-dominated
// frame of an utterance, end one frame after its last one when the utterance ends.
// Results depend only on the samples, never on how they were split into chunks, nor on
// whether the network ran for this stream alone (Accept) or batched with others (AsrBatcher).
// Feature rows wait in a per-stream queue until they make a network output frame: a call
// feeds the network the rows up to the last one that completes an output frame
// (AsrPipeline::first_output_rows() + k x subsampling in total), so every stream's network
// state stays in a phase that Network::Stack accepts and no output comes later than it could.
// The network runs on the pipeline's backend (AsrPipeline::runner(): CPU or CUDA).
// Created by AsrPipeline::CreateStream; used by one thread at a time.
#ifndef AURIS_MODELS_ASR_ASR_STREAM_H_
#define AURIS_MODELS_ASR_ASR_STREAM_H_

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "models/asr/asr_decoder.h"
#include "models/asr/asr_result.h"
#include "models/asr/log_mel_front_end.h"
#include "nn/network_runner.h"
#include "nn/workspace.h"

namespace auris::models {

class AsrPipeline;

class AsrStream {
 public:
  // Mono samples in [-1, 1] at the input rate. Appends events (speech begin/end, finals).
  absl::Status Accept(std::span<const float> samples, std::vector<AsrEvent>* events);
  // End of input: decodes what is left and ends the open utterance. No use after this.
  absl::Status Flush(std::vector<AsrEvent>* events);
  // The utterance in progress (no alternatives before anything is recognised).
  AsrResult Interim() const;

  // Bypasses the front end and network: feeds (num_frames, V) log-probabilities straight
  // to endpointing and decoding (tests, offline posteriorgrams).
  absl::Status AcceptLogProbs(std::span<const float> log_probs, int num_frames,
                              std::vector<AsrEvent>* events);

  // Audio decoded so far (network frames x frame shift), in ns.
  int64_t decoded_ns() const;
  // Debugging and tests: keep every feature row (after CMVN) and log-prob row produced.
  void set_capture(bool capture) { capture_ = capture; }
  const std::vector<float>& captured_features() const { return captured_features_; }
  const std::vector<float>& captured_log_probs() const { return captured_log_probs_; }

 private:
  friend class AsrPipeline;
  friend class AsrBatcher;
  explicit AsrStream(const AsrPipeline* pipeline) : pipeline_(pipeline) {}
  absl::Status Process(std::span<const float> samples, bool flush, std::vector<AsrEvent>* events);
  // Input-rate samples -> resampler -> feature rows appended to the queue (and captured).
  void RunFrontEnd(std::span<const float> samples, bool flush);
  // Queued rows the network should take now (all of them when flushing), >= 0.
  int64_t RowsToFeed(bool flush) const;
  // The queued rows, (rows, feature_dim) row-major.
  std::span<const float> QueuedRows() const;
  // Runs the pipeline's runner on the first `rows` queued rows with this stream's own state
  // (host scratch and output from `workspace`) and takes its output.
  absl::Status RunNetwork(int64_t rows, nn::Workspace* workspace, std::vector<AsrEvent>* events);
  // The network's (frames, V) output for the first `rows_fed` queued rows: dequeues them,
  // converts to log-probabilities, captures and decodes.
  absl::Status TakeNetworkOutput(const float* output, int frames, int64_t rows_fed,
                                 std::vector<AsrEvent>* events);
  // OK if the network gave (batch, T, V); INTERNAL naming the model otherwise.
  static absl::Status CheckNetworkOutput(const AsrPipeline& pipeline, const nn::Shape& shape,
                                         int64_t batch);
  absl::Status DecodeFrames(std::span<const float> log_probs, int num_frames,
                            std::vector<AsrEvent>* events);
  void EndUtterance(int64_t end_frame, bool speech_ended, std::vector<AsrEvent>* events);

  const AsrPipeline* const pipeline_;
  int64_t silence_frames_needed_ = 20;
  int64_t max_utterance_frames_ = 750;
  bool endpointing_ = true;
  float blank_log_threshold_ = -0.6931472f;  // ln 0.5
  std::unique_ptr<LogMelInput> input_;
  std::unique_ptr<nn::RunnerState> state_;
  nn::Workspace workspace_;
  std::unique_ptr<AsrDecoder> decoder_;
  std::vector<float> feature_queue_;  // (rows, feature_dim); rows before queue_head_ are done
  int64_t queue_head_ = 0;
  int64_t fed_rows_ = 0;  // feature rows given to the network since the start of the stream
  std::vector<float> log_probs_;
  // Frame counters are network output frames since the start of the stream.
  int64_t frames_ = 0;
  int64_t utterance_start_ = 0;
  int64_t pending_from_ = 0;   // first frame not yet given to the decoder
  int64_t speech_frames_ = 0;  // non-blank-dominated frames in this utterance
  int64_t trailing_blank_ = 0;
  int64_t last_speech_frame_ = -1;
  bool in_speech_ = false;
  bool capture_ = false;
  std::vector<float> captured_features_;
  std::vector<float> captured_log_probs_;
};

}  // namespace auris::models

#endif  // AURIS_MODELS_ASR_ASR_STREAM_H_
