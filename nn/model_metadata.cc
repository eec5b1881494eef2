#include "nn/model_metadata.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

using Json = nlohmann::json;

absl::Status Bad(std::string_view name, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("model file ", std::string(name), ": auris metadata: ", what));
}

bool IsInt(const Json& j) { return j.is_number_integer(); }

absl::Status ParseStreaming(const Json& s, std::string_view name, ModelMetadata* m) {
  if (!s.is_object()) return Bad(name, "field \"streaming\" must be an object");
  for (const char* key : {"chunk_frames", "look_ahead_frames"}) {
    if (!s.contains(key)) continue;
    if (!IsInt(s[key]) || s[key].get<int64_t>() < 0) {
      return Bad(name,
                 absl::StrCat("field \"streaming.", key, "\" must be a non-negative integer"));
    }
  }
  if (s.contains("chunk_frames")) m->chunk_frames = s["chunk_frames"].get<int64_t>();
  if (s.contains("look_ahead_frames")) {
    m->look_ahead_frames = s["look_ahead_frames"].get<int64_t>();
  }
  return absl::OkStatus();
}

absl::Status ParseOptional(const Json& j, std::string_view name, ModelMetadata* m) {
  if (j.contains("layers")) {
    if (!j["layers"].is_array()) return Bad(name, "field \"layers\" must be an array");
    for (const Json& layer : j["layers"]) {
      if (!layer.is_object() || !layer.contains("type") || !layer["type"].is_string()) {
        return Bad(name, "each entry of \"layers\" must be an object with a string \"type\"");
      }
    }
    m->layers_json = j["layers"].dump();
  }
  if (j.contains("vocabulary")) {
    if (!j["vocabulary"].is_array()) {
      return Bad(name, "field \"vocabulary\" must be an array of strings");
    }
    for (const Json& symbol : j["vocabulary"]) {
      if (!symbol.is_string()) {
        return Bad(name, "field \"vocabulary\" must be an array of strings");
      }
      m->vocabulary.push_back(symbol.get<std::string>());
    }
  }
  if (j.contains("streaming")) {
    if (absl::Status s = ParseStreaming(j["streaming"], name, m); !s.ok()) return s;
  }
  if (j.contains("training_data")) m->training_data_json = j["training_data"].dump();
  if (j.contains("metrics")) {
    if (!j["metrics"].is_object()) return Bad(name, "field \"metrics\" must be an object");
    for (const auto& [key, value] : j["metrics"].items()) {
      if (!value.is_number()) {
        return Bad(name, absl::StrCat("metric \"", key, "\" must be a number"));
      }
      m->metrics[key] = value.get<double>();
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ModelMetadata> ParseModelMetadata(std::string_view json_text,
                                                 std::string_view name) {
  const Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(name, "not valid JSON");
  if (!j.is_object()) return Bad(name, "the top level must be a JSON object");
  ModelMetadata m;
  m.json = std::string(json_text);
  m.layers_json = "[]";
  if (!j.contains("format_version") || !IsInt(j["format_version"]) ||
      j["format_version"].get<int64_t>() != kModelFormatVersion) {
    return Bad(name, absl::StrCat("field \"format_version\" must be ", kModelFormatVersion));
  }
  m.format_version = kModelFormatVersion;
  if (!j.contains("task") || !j["task"].is_string()) {
    return Bad(name, "field \"task\" must be one of asr, emotion, denoise, vad");
  }
  m.task = j["task"].get<std::string>();
  if (m.task != "asr" && m.task != "emotion" && m.task != "denoise" && m.task != "vad") {
    return Bad(name,
               absl::StrCat("task \"", m.task, "\" is not one of asr, emotion, denoise, vad"));
  }
  if (!j.contains("sample_rate_hz") || !IsInt(j["sample_rate_hz"]) ||
      j["sample_rate_hz"].get<int64_t>() < kMinSampleRateHz ||
      j["sample_rate_hz"].get<int64_t>() > kMaxSampleRateHz) {
    return Bad(name, absl::StrCat("field \"sample_rate_hz\" must be an integer in ",
                                  kMinSampleRateHz, "..", kMaxSampleRateHz));
  }
  m.sample_rate_hz = static_cast<int>(j["sample_rate_hz"].get<int64_t>());
  if (!j.contains("front_end") || !j["front_end"].is_object() || !j["front_end"].contains("type") ||
      !j["front_end"]["type"].is_string()) {
    return Bad(name, "field \"front_end\" must be an object with a string \"type\"");
  }
  m.front_end_type = j["front_end"]["type"].get<std::string>();
  m.front_end_json = j["front_end"].dump();
  if (absl::Status s = ParseOptional(j, name, &m); !s.ok()) return s;
  return m;
}

}  // namespace auris::nn
