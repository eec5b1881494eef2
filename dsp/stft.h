// Streaming causal short-time Fourier transform and its weighted overlap-add inverse.
// Frame t covers input samples [hop*t, hop*t + win_length) (no centre padding); the window
// is zero-padded to n_fft. Frames are n_fft/2+1 complex bins, unnormalised. Both classes are
// per-stream (not thread-safe), allocate only in Create(), and share FFT plans. Frames are
// windowed straight from the caller's samples and an internal history of < win_length samples
// (copied once each), and AcceptInto() writes the FFT output straight to the caller's buffer.
#ifndef AURIS_DSP_STFT_H_
#define AURIS_DSP_STFT_H_

#include <complex>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/fft_plan.h"
#include "dsp/window.h"

namespace auris::dsp {

struct StftConfig {
  int n_fft = 512;                        // >= win_length, 2..65536
  int win_length = 400;                   // samples, >= 1
  int hop = 160;                          // samples, 1..win_length
  WindowType window = WindowType::kHann;  // periodic (see window.h)
  // Flush() zero-pads so that every received sample is inside at least one frame.
  bool flush_pads = false;

  int num_bins() const { return n_fft / 2 + 1; }
  absl::Status Validate() const;  // INVALID_ARGUMENT naming the field and allowed range
  std::string ToString() const;
};

class StftAnalyzer {
 public:
  static absl::StatusOr<std::unique_ptr<StftAnalyzer>> Create(const StftConfig& config);

  // Appends num_bins() bins per completed frame to `frames` (row-major (T, num_bins)).
  void Accept(std::span<const float> samples, std::vector<std::complex<float>>* frames);
  // Same frames written to frames[0, T * num_bins()); returns T. INVALID_ARGUMENT (and nothing
  // consumed) if `frames` holds fewer than FramesCompletedBy(samples.size()) * num_bins() bins.
  // The FFT writes straight into frames that are FftPlan::IsAligned (e.g. an AlignedComplex).
  absl::StatusOr<int> AcceptInto(std::span<const float> samples,
                                 std::span<std::complex<float>> frames);
  // Frames that Accept() of `num_samples` more samples would complete.
  long long FramesCompletedBy(std::size_t num_samples) const;
  // End of input: with flush_pads, emits the zero-padded frames that start before the end of
  // input and were not emitted yet. Then resets.
  void Flush(std::vector<std::complex<float>>* frames);
  void Reset();
  // Samples still needed before the next frame is complete (1..win_length).
  int SamplesUntilNextFrame() const;
  const StftConfig& config() const { return config_; }
  std::span<const float> window() const { return window_; }

 private:
  StftAnalyzer(const StftConfig& config, std::shared_ptr<const FftPlan> plan);
  // Windows `buffered` then `fresh` samples (win_length in all) into fft_in_.
  void WindowFrame(std::span<const float> buffered, const float* fresh);
  // FFT of fft_in_ into num_bins() values at `out` (any alignment).
  void Transform(std::complex<float>* out);
  // Emits every frame completed by `samples`, frame t to out_for(t), and keeps the leftover.
  template <typename OutFor>
  long long Process(std::span<const float> samples, OutFor out_for);

  StftConfig config_;
  std::shared_ptr<const FftPlan> plan_;
  std::vector<float> window_;
  // history_[head_, tail_): received samples from the next frame's start on (< win_length of
  // them between calls); capacity 4 win_length so that compaction is rare.
  std::vector<float> history_;
  int head_ = 0;
  int tail_ = 0;
  long long received_ = 0;  // samples since Reset
  long long emitted_ = 0;   // frames since Reset
  AlignedFloats fft_in_;    // (n_fft,), [win_length, n_fft) stays zero
  AlignedComplex fft_out_;  // (num_bins,) for outputs without FFTW's SIMD alignment
};

// Weighted overlap-add inverse of StftAnalyzer with the same config, synthesis window equal to
// the analysis window, normalised by the summed squared window so that synthesis(analysis(x))
// reproduces x once each sample is covered by all frames (after win_length - hop samples).
class OverlapAddSynthesizer {
 public:
  static absl::StatusOr<std::unique_ptr<OverlapAddSynthesizer>> Create(const StftConfig& config);

  // frame: num_bins() bins of frame t (consecutive calls are t = 0, 1, ...); appends the hop
  // samples [hop*t, hop*t + hop) that are now complete. `frame` is not modified.
  void Accept(std::span<const std::complex<float>> frame, std::vector<float>* out);
  // Appends the remaining win_length - hop samples of the tail, then resets.
  void Flush(std::vector<float>* out);
  void Reset();
  const StftConfig& config() const { return config_; }

 private:
  OverlapAddSynthesizer(const StftConfig& config, std::shared_ptr<const FftPlan> plan);

  StftConfig config_;
  std::shared_ptr<const FftPlan> plan_;
  std::vector<float> window_;
  std::vector<float> inverse_norm_;  // (hop,) 1 / (n_fft * sum_m w^2[k + m hop])
  std::vector<float> accumulator_;   // (win_length,)
  AlignedComplex ifft_in_;
  AlignedFloats ifft_out_;
};

}  // namespace auris::dsp

#endif  // AURIS_DSP_STFT_H_
