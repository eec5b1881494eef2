#include "dsp/window.h"

#include <cmath>
#include <numbers>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace auris::dsp {
namespace {

struct NamedWindow {
  WindowType type;
  std::string_view name;
};

constexpr NamedWindow kNames[] = {
    {WindowType::kRectangular, "rectangular"},
    {WindowType::kHann, "hann"},
    {WindowType::kSqrtHann, "sqrt_hann"},
    {WindowType::kHamming, "hamming"},
    {WindowType::kPovey, "povey"},
    {WindowType::kBlackman, "blackman"},
};

double Hann(double phase) { return 0.5 - 0.5 * std::cos(phase); }

}  // namespace

std::vector<float> MakeWindow(WindowType type, int length, bool periodic) {
  std::vector<float> w(length > 0 ? length : 0);
  if (length <= 0) return w;
  if (length == 1) {
    w[0] = 1.0f;
    return w;
  }
  const bool symmetric = !periodic || type == WindowType::kPovey;
  const double denom = symmetric ? length - 1 : length;
  const double two_pi = 2.0 * std::numbers::pi;
  for (int i = 0; i < length; ++i) {
    const double phase = two_pi * i / denom;
    double v = 1.0;
    switch (type) {
      case WindowType::kRectangular:
        v = 1.0;
        break;
      case WindowType::kHann:
        v = Hann(phase);
        break;
      case WindowType::kSqrtHann:
        v = std::sqrt(Hann(phase));
        break;
      case WindowType::kHamming:
        v = 0.54 - 0.46 * std::cos(phase);
        break;
      case WindowType::kPovey:
        v = std::pow(Hann(phase), 0.85);
        break;
      case WindowType::kBlackman:
        v = 0.42 - 0.5 * std::cos(phase) + 0.08 * std::cos(2.0 * phase);
        break;
    }
    w[i] = static_cast<float>(v);
  }
  return w;
}

absl::StatusOr<WindowType> WindowTypeFromName(std::string_view name) {
  for (const NamedWindow& n : kNames) {
    if (n.name == name) return n.type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown window '", std::string(name),
                   "'; expected hann, sqrt_hann, hamming, povey, blackman or "
                   "rectangular"));
}

std::string_view WindowTypeName(WindowType type) {
  for (const NamedWindow& n : kNames) {
    if (n.type == type) return n.name;
  }
  return "unknown";
}

}  // namespace auris::dsp
