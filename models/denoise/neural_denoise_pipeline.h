// A neural denoiser: a model file of task "denoise" with the "stft_mask" front end
// (stft_mask_front_end.h). Per stream: resample the input to the model's rate -> causal STFT
// (preceded by win_length - hop zeros, so the first samples are reconstructed exactly) ->
// log(|X|^2 + floor) per bin -> optional global CMVN (extra tensors "cmvn.mean", "cmvn.std",
// (num_bins,)) -> network (1, T, num_bins) -> real mask (1, T, num_bins) times the complex bins
// -> weighted overlap-add -> resample to the output rate. With a mask of 1 the output equals
// the input. NeuralDenoisePipeline is immutable after Create() and thread-safe; a
// NeuralDenoiseStream belongs to one thread at a time.
#ifndef AURIS_MODELS_DENOISE_NEURAL_DENOISE_PIPELINE_H_
#define AURIS_MODELS_DENOISE_NEURAL_DENOISE_PIPELINE_H_

#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dsp/resampler.h"
#include "dsp/stft.h"
#include "models/denoise/denoise_pipeline.h"
#include "models/denoise/stft_mask_front_end.h"
#include "nn/backend.h"
#include "nn/network.h"
#include "nn/network_runner.h"
#include "nn/workspace.h"

namespace auris::models {

class NeuralDenoisePipeline : public DenoisePipeline {
 public:
  // `info` must have task "denoise" (its sample rate is the network's). The network must have
  // the stft_mask front end, input and output channels = num_bins and subsampling 1.
  // INVALID_ARGUMENT naming the model and the mismatch otherwise. `runner` executes the same
  // model file (LoadNeuralModel); null = `network` on the CPU.
  static absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> Create(
      ModelInfo info, std::unique_ptr<const nn::Network> network,
      std::unique_ptr<const nn::NetworkRunner> runner = nullptr);
  // Loads the model file at `path` for `backend`, completes `info` from it (LoadNeuralModel)
  // and Create()s. NOT_FOUND / INVALID_ARGUMENT naming the file; FAILED_PRECONDITION /
  // UNIMPLEMENTED when `backend` cannot run it.
  static absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> Load(
      ModelInfo info, const std::string& path, nn::BackendKind backend = nn::BackendKind::kCpu);

  const ModelInfo& info() const override { return info_; }
  absl::StatusOr<std::unique_ptr<DenoiseStream>> CreateStream(int input_rate_hz,
                                                              int output_rate_hz) const override;

  const StftMaskFrontEnd& front_end() const { return front_end_; }
  const nn::Network& network() const { return *network_; }
  // Executes the network on the backend chosen at load (streams call only this).
  const nn::NetworkRunner& runner() const { return *runner_; }
  int model_rate_hz() const { return info_.sample_rate_hz; }
  // (num_bins,) each; empty without CMVN.
  std::span<const float> cmvn_mean() const { return cmvn_mean_; }
  std::span<const float> cmvn_inverse_std() const { return cmvn_inverse_std_; }

 private:
  NeuralDenoisePipeline() = default;

  ModelInfo info_;
  std::unique_ptr<const nn::Network> network_;
  std::unique_ptr<const nn::NetworkRunner> runner_;  // after network_: may point into it
  StftMaskFrontEnd front_end_;
  std::vector<float> cmvn_mean_;
  std::vector<float> cmvn_inverse_std_;
};

class NeuralDenoiseStream : public DenoiseStream {
 public:
  // Use NeuralDenoisePipeline::CreateStream. `pipeline` must outlive the stream.
  static absl::StatusOr<std::unique_ptr<NeuralDenoiseStream>> Create(
      const NeuralDenoisePipeline* pipeline, int input_rate_hz, int output_rate_hz);

  absl::Status Accept(std::span<const float> input, std::vector<float>* out) override;
  // Ends the stream; it may not be used afterwards.
  absl::Status Flush(std::vector<float>* out) override;
  // The STFT's win_length - hop at the input rate (the resamplers' filters add a little).
  int DelaySamples() const override;

  // Heap allocations of the network's workspace so far (steady state: constant).
  int64_t workspace_heap_allocations() const { return workspace_.heap_allocations(); }

 private:
  explicit NeuralDenoiseStream(const NeuralDenoisePipeline* pipeline);
  absl::Status Process(std::span<const float> model_rate, std::vector<float>* out);
  absl::Status RunFrames();
  void Emit(std::vector<float>* out);

  const NeuralDenoisePipeline* const pipeline_;
  const int num_bins_;
  int input_rate_hz_ = 0;
  int output_rate_hz_ = 0;
  std::unique_ptr<dsp::Resampler> to_model_rate_;   // null when the input is at the model rate
  std::unique_ptr<dsp::Resampler> to_output_rate_;  // null when the output is at the model rate
  std::unique_ptr<dsp::StftAnalyzer> stft_;
  std::unique_ptr<dsp::OverlapAddSynthesizer> synthesizer_;
  std::unique_ptr<nn::RunnerState> state_;
  nn::Workspace workspace_;
  long long input_samples_ = 0;      // at the input rate
  long long output_samples_ = 0;     // appended to `out`, at the output rate
  long long model_in_samples_ = 0;   // at the model rate, without the leading zeros
  long long model_out_samples_ = 0;  // enhanced samples released, at the model rate
  int to_skip_ = 0;                  // synthesized samples of the leading zeros still to drop
  std::vector<float> resampled_;     // input at the model rate
  std::vector<std::complex<float>> frames_;  // (T, num_bins)
  std::vector<float> features_;              // (T, num_bins)
  std::vector<float> enhanced_;              // at the model rate
};

}  // namespace auris::models

#endif  // AURIS_MODELS_DENOISE_NEURAL_DENOISE_PIPELINE_H_
