// Analysis/synthesis windows for framed DSP. Pure functions; thread-safe.
#ifndef AURIS_DSP_WINDOW_H_
#define AURIS_DSP_WINDOW_H_

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace auris::dsp {

enum class WindowType { kRectangular, kHann, kSqrtHann, kHamming, kPovey, kBlackman };

// `length` samples. Periodic windows (period `length`, for STFT/overlap-add) or symmetric
// (first == last sample). Povey is Kaldi's Hann^0.85 and is always symmetric as in Kaldi.
std::vector<float> MakeWindow(WindowType type, int length, bool periodic = true);
// "hann", "sqrt_hann", "hamming", "povey", "blackman", "rectangular".
absl::StatusOr<WindowType> WindowTypeFromName(std::string_view name);
std::string_view WindowTypeName(WindowType type);

}  // namespace auris::dsp

#endif  // AURIS_DSP_WINDOW_H_
