#include "models/asr/log_mel_front_end.h"

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

absl::Status Bad(std::string_view model, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("model file ", std::string(model), ": front_end (logmel): ", what));
}

absl::Status ReadInt(const Json& j, const char* key, std::string_view model, int* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j[key].is_number_integer()) {
    return Bad(model, absl::StrCat("field \"", key, "\" must be an integer, got ", j[key].dump()));
  }
  *out = j[key].get<int>();
  return absl::OkStatus();
}

absl::Status ReadNumber(const Json& j, const char* key, std::string_view model, double* out) {
  if (!j.contains(key)) return absl::OkStatus();
  if (!j[key].is_number()) {
    return Bad(model, absl::StrCat("field \"", key, "\" must be a number, got ", j[key].dump()));
  }
  *out = j[key].get<double>();
  return absl::OkStatus();
}

absl::Status Expect(const Json& j, const char* key, const Json& allowed, std::string_view model) {
  if (!j.contains(key) || j[key] == allowed) return absl::OkStatus();
  if (allowed.is_number() && j[key].is_number() && j[key].get<double>() == allowed.get<double>()) {
    return absl::OkStatus();
  }
  return Bad(model, absl::StrCat("field \"", key, "\" is ", j[key].dump(),
                                 "; this build supports only ", allowed.dump()));
}

}  // namespace

absl::StatusOr<dsp::FeatureConfig> LogMelFeatureConfig(std::string_view front_end_json,
                                                       std::string_view model) {
  const Json j = Json::parse(front_end_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Bad(model, "not a JSON object");
  static const char* const kKnown[] = {
      "type",  "sample_rate", "frame_length", "frame_shift", "window", "n_fft",
      "power", "n_mels",      "mel_scale",    "f_min",       "f_max",  "mel_norm",
      "log",   "log_floor",   "dither",       "preemphasis", "center"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) {
      return Bad(model, absl::StrCat("unknown field \"", key,
                                     "\"; allowed: type, sample_rate, frame_length, frame_shift, "
                                     "window, n_fft, power, n_mels, mel_scale, f_min, f_max, "
                                     "mel_norm, log, log_floor, dither, preemphasis, center"));
    }
  }
  if (j.value("type", Json()) != Json("logmel")) {
    return Bad(model, absl::StrCat("type ", j.value("type", Json()).dump(), " is not logmel"));
  }
  for (const auto& [key, allowed] : {std::pair<const char*, Json>{"window", "hann_periodic"},
                                     {"power", 2.0},
                                     {"mel_scale", "htk"},
                                     {"mel_norm", nullptr},
                                     {"log", "natural"},
                                     {"dither", 0.0},
                                     {"center", false}}) {
    if (absl::Status s = Expect(j, key, allowed, model); !s.ok()) return s;
  }
  dsp::FeatureConfig c;
  double f_min = c.fmin, f_max = c.fmax, log_floor = c.log_floor, preemphasis = 0.0;
  for (absl::Status s :
       {ReadInt(j, "sample_rate", model, &c.sample_rate),
        ReadInt(j, "frame_length", model, &c.frame_length),
        ReadInt(j, "frame_shift", model, &c.hop), ReadInt(j, "n_fft", model, &c.n_fft),
        ReadInt(j, "n_mels", model, &c.n_mels), ReadNumber(j, "f_min", model, &f_min),
        ReadNumber(j, "f_max", model, &f_max), ReadNumber(j, "log_floor", model, &log_floor),
        ReadNumber(j, "preemphasis", model, &preemphasis)}) {
    if (!s.ok()) return s;
  }
  c.window = dsp::WindowType::kHann;
  c.mel_scale = dsp::MelScale::kHtk;
  c.fmin = f_min;
  c.fmax = f_max;
  c.log_floor = static_cast<float>(log_floor);
  c.preemphasis = static_cast<float>(preemphasis);
  c.slaney_norm = false;
  c.n_ceps = 0;
  c.delta_order = 0;
  c.cmvn = dsp::CmvnMode::kNone;
  if (absl::Status s = c.Validate(); !s.ok()) return Bad(model, std::string(s.message()));
  return c;
}

absl::StatusOr<dsp::FeatureConfig> NetworkLogMelConfig(const nn::Network& network,
                                                       std::string_view what,
                                                       std::string_view model) {
  const auto bad = [what](const std::string& message) {
    return absl::InvalidArgumentError(absl::StrCat(std::string(what), ": ", message));
  };
  const nn::ModelMetadata& meta = network.metadata();
  if (meta.front_end_type != "logmel") {
    return bad(absl::StrCat("front_end type \"", meta.front_end_type, "\" is not supported for ",
                            meta.task, "; expected logmel"));
  }
  absl::StatusOr<dsp::FeatureConfig> features = LogMelFeatureConfig(meta.front_end_json, model);
  if (!features.ok()) return features.status();
  if (features->sample_rate != meta.sample_rate_hz) {
    return bad(absl::StrCat("front_end.sample_rate ", features->sample_rate,
                            " differs from sample_rate_hz ", meta.sample_rate_hz));
  }
  if (network.input_channels() != features->n_mels) {
    return bad(absl::StrCat("the network takes ", network.input_channels(),
                            " channels but the front end gives ", features->n_mels, " mel bins"));
  }
  const auto& extra = network.extra_tensors();
  const auto mean = extra.find("cmvn.mean");
  const auto std_dev = extra.find("cmvn.std");
  if ((mean == extra.end()) != (std_dev == extra.end())) {
    return bad("the model file has only one of cmvn.mean and cmvn.std");
  }
  if (mean != extra.end()) {
    if (mean->second.size() != features->n_mels || std_dev->second.size() != features->n_mels) {
      return bad(
          absl::StrCat("cmvn.mean and cmvn.std must hold ", features->n_mels, " values each"));
    }
    features->cmvn = dsp::CmvnMode::kGlobal;
    features->cmvn_mean.assign(mean->second.data(), mean->second.data() + mean->second.size());
    features->cmvn_std.assign(std_dev->second.data(),
                              std_dev->second.data() + std_dev->second.size());
    if (absl::Status s = features->Validate(); !s.ok()) {
      return bad(absl::StrCat("cmvn: ", std::string(s.message())));
    }
  }
  return features;
}

absl::StatusOr<std::unique_ptr<LogMelInput>> LogMelInput::Create(int input_rate_hz,
                                                                 const dsp::FeatureConfig& config) {
  auto input = std::unique_ptr<LogMelInput>(new LogMelInput());
  if (input_rate_hz != config.sample_rate) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(input_rate_hz, config.sample_rate);
    if (!r.ok()) return r.status();
    input->to_model_rate_ = *std::move(r);
  }
  absl::StatusOr<std::unique_ptr<dsp::FeatureExtractor>> features =
      dsp::FeatureExtractor::Create(config);
  if (!features.ok()) return features.status();
  input->features_ = *std::move(features);
  return input;
}

void LogMelInput::Accept(std::span<const float> samples, bool flush, std::vector<float>* rows) {
  std::span<const float> model_rate = samples;
  if (to_model_rate_) {
    resampled_.clear();
    to_model_rate_->Accept(samples, &resampled_);
    if (flush) to_model_rate_->Flush(&resampled_);
    model_rate = resampled_;
  }
  features_->Accept(model_rate, rows);
  if (flush) features_->Flush(rows);
}

}  // namespace auris::models
