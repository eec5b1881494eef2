// The "stft_mask" front end of a neural denoiser, as its model file declares it:
//   {"type": "stft_mask", "n_fft": 320, "win_length": 320, "hop_length": 160,
//    "window": "sqrt_hann", "log_floor": 1e-8, "mask": "real"}
// Causal STFT (frame t covers samples [hop t, hop t + win_length)), features
// log(|X|^2 + log_floor) per bin, a real mask per bin from the network, weighted overlap-add
// with the same (periodic) window. Plain value type.
#ifndef AURIS_MODELS_DENOISE_STFT_MASK_FRONT_END_H_
#define AURIS_MODELS_DENOISE_STFT_MASK_FRONT_END_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "dsp/stft.h"
#include "dsp/window.h"

namespace auris::models {

struct StftMaskFrontEnd {
  int n_fft = 320;                                      // >= win_length
  int win_length = 320;                                 // samples
  int hop_length = 160;                                 // samples, 1..win_length
  dsp::WindowType window = dsp::WindowType::kSqrtHann;  // periodic
  float log_floor = 1e-8f;                              // > 0, added to |X|^2 before the log
  std::string mask = "real";                            // only "real" (one gain per bin) for now

  int num_bins() const { return n_fft / 2 + 1; }
  dsp::StftConfig stft_config() const;  // flush_pads = true
  // INVALID_ARGUMENT naming the field and what is allowed (including a window that cannot be
  // inverted by overlap-add at this hop).
  absl::Status Validate() const;
  std::string ToString() const;

  // Parses the model file's front_end object; every field is required except "periodic"
  // (true if present). `model` names the file in messages.
  static absl::StatusOr<StftMaskFrontEnd> FromJson(std::string_view json, std::string_view model);
};

}  // namespace auris::models

#endif  // AURIS_MODELS_DENOISE_STFT_MASK_FRONT_END_H_
