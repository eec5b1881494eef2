#include "models/denoise/stft_mask_front_end.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

constexpr const char* kFields = "type, n_fft, win_length, hop_length, window, log_floor, mask";

absl::Status Bad(std::string_view model, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("model file ", std::string(model), ": front_end (stft_mask): ", what));
}

absl::StatusOr<int> RequiredInt(const Json& j, const char* key, std::string_view model) {
  if (!j.contains(key)) return Bad(model, absl::StrCat("missing field \"", key, "\""));
  if (!j[key].is_number_integer()) {
    return Bad(model, absl::StrCat("field \"", key, "\" must be an integer, got ", j[key].dump()));
  }
  const int64_t v = j[key].get<int64_t>();
  if (v < 1 || v > 65536) {
    return Bad(model, absl::StrCat("field \"", key, "\" = ", v, " is outside 1..65536"));
  }
  return static_cast<int>(v);
}

absl::StatusOr<std::string> RequiredString(const Json& j, const char* key, std::string_view model) {
  if (!j.contains(key)) return Bad(model, absl::StrCat("missing field \"", key, "\""));
  if (!j[key].is_string()) {
    return Bad(model, absl::StrCat("field \"", key, "\" must be a string, got ", j[key].dump()));
  }
  return j[key].get<std::string>();
}

}  // namespace

dsp::StftConfig StftMaskFrontEnd::stft_config() const {
  dsp::StftConfig c;
  c.n_fft = n_fft;
  c.win_length = win_length;
  c.hop = hop_length;
  c.window = window;
  c.flush_pads = true;
  return c;
}

absl::Status StftMaskFrontEnd::Validate() const {
  if (win_length < 1 || win_length > n_fft) {
    return absl::InvalidArgumentError(
        absl::StrCat("win_length = ", win_length, " is outside 1..n_fft (", n_fft, ")"));
  }
  if (hop_length < 1 || hop_length > win_length) {
    return absl::InvalidArgumentError(
        absl::StrCat("hop_length = ", hop_length, " is outside 1..win_length (", win_length, ")"));
  }
  if (!(log_floor > 0.0f) || !std::isfinite(log_floor)) {
    return absl::InvalidArgumentError(
        absl::StrCat("log_floor = ", log_floor, " must be a positive finite number"));
  }
  if (mask != "real") {
    return absl::InvalidArgumentError(
        absl::StrCat("mask \"", mask, "\" is not supported; this build supports: real"));
  }
  if (absl::Status s = stft_config().Validate(); !s.ok()) return s;
  const std::vector<float> w = dsp::MakeWindow(window, win_length, /*periodic=*/true);
  for (int k = 0; k < hop_length; ++k) {
    double sum = 0.0;
    for (int i = k; i < win_length; i += hop_length) sum += static_cast<double>(w[i]) * w[i];
    if (sum < 1e-6) {
      return absl::InvalidArgumentError(absl::StrCat(
          "window ", std::string(dsp::WindowTypeName(window)), " of ", win_length,
          " samples at hop ", hop_length, " cannot be inverted (overlap sum 0 at offset ", k, ")"));
    }
  }
  return absl::OkStatus();
}

std::string StftMaskFrontEnd::ToString() const {
  return absl::StrFormat(
      "StftMaskFrontEnd(n_fft=%d, win_length=%d, hop_length=%d, window=%s, log_floor=%g, "
      "mask=%s)",
      n_fft, win_length, hop_length, std::string(dsp::WindowTypeName(window)), log_floor, mask);
}

absl::StatusOr<StftMaskFrontEnd> StftMaskFrontEnd::FromJson(std::string_view json,
                                                            std::string_view model) {
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad(model, "not a JSON object");
  const std::set<std::string> known = {"type",   "n_fft",     "win_length", "hop_length",
                                       "window", "log_floor", "mask",       "periodic"};
  for (const auto& [key, value] : j.items()) {
    if (!known.contains(key)) {
      return Bad(model,
                 absl::StrCat("unknown field \"", key, "\"; allowed: ", kFields, ", periodic"));
    }
  }
  absl::StatusOr<std::string> type = RequiredString(j, "type", model);
  if (!type.ok()) return type.status();
  if (*type != "stft_mask") {
    return Bad(model, absl::StrCat("type \"", *type, "\" is not \"stft_mask\""));
  }
  StftMaskFrontEnd f;
  absl::StatusOr<int> n_fft = RequiredInt(j, "n_fft", model);
  if (!n_fft.ok()) return n_fft.status();
  absl::StatusOr<int> win = RequiredInt(j, "win_length", model);
  if (!win.ok()) return win.status();
  absl::StatusOr<int> hop = RequiredInt(j, "hop_length", model);
  if (!hop.ok()) return hop.status();
  f.n_fft = *n_fft;
  f.win_length = *win;
  f.hop_length = *hop;
  absl::StatusOr<std::string> window = RequiredString(j, "window", model);
  if (!window.ok()) return window.status();
  absl::StatusOr<dsp::WindowType> window_type = dsp::WindowTypeFromName(*window);
  if (!window_type.ok()) return Bad(model, std::string(window_type.status().message()));
  if (*window_type == dsp::WindowType::kPovey) {
    return Bad(model,
               "window \"povey\" is symmetric; the stft_mask front end needs a periodic one");
  }
  f.window = *window_type;
  if (j.contains("periodic") && j["periodic"] != Json(true)) {
    return Bad(model, absl::StrCat("field \"periodic\" must be true (only periodic windows "
                                   "invert exactly), got ",
                                   j["periodic"].dump()));
  }
  if (!j.contains("log_floor")) return Bad(model, "missing field \"log_floor\"");
  if (!j["log_floor"].is_number()) {
    return Bad(model,
               absl::StrCat("field \"log_floor\" must be a number, got ", j["log_floor"].dump()));
  }
  f.log_floor = j["log_floor"].get<float>();
  absl::StatusOr<std::string> mask = RequiredString(j, "mask", model);
  if (!mask.ok()) return mask.status();
  f.mask = *mask;
  if (absl::Status s = f.Validate(); !s.ok()) return Bad(model, std::string(s.message()));
  return f;
}

}  // namespace auris::models
