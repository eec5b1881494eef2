#include "models/model_descriptor.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("model descriptor ", path, ": ", what));
}

absl::StatusOr<std::string> RequiredString(const Json& j, const char* key,
                                           const std::string& path) {
  if (!j.contains(key)) return Bad(path, absl::StrCat("missing field \"", key, "\""));
  if (!j[key].is_string() || j[key].get<std::string>().empty()) {
    return Bad(path, absl::StrCat("field \"", key, "\" must be a non-empty string"));
  }
  return j[key].get<std::string>();
}

}  // namespace

absl::StatusOr<ModelDescriptor> ParseModelDescriptor(const std::string& json_text,
                                                     const std::string& path) {
  const Json j = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(path, "not valid JSON");
  if (!j.is_object()) return Bad(path, "the top level must be a JSON object");
  if (!j.contains("auris_model") || !j["auris_model"].is_number_integer() ||
      j["auris_model"].get<int>() != 1) {
    return Bad(path, "field \"auris_model\" must be 1 (the descriptor format version)");
  }
  ModelDescriptor d;
  d.path = path;
  absl::StatusOr<std::string> name = RequiredString(j, "name", path);
  if (!name.ok()) return name.status();
  absl::StatusOr<std::string> task = RequiredString(j, "task", path);
  if (!task.ok()) return task.status();
  absl::StatusOr<std::string> type = RequiredString(j, "type", path);
  if (!type.ok()) return type.status();
  absl::StatusOr<std::string> version = RequiredString(j, "version", path);
  if (!version.ok()) return version.status();
  if (*task != kTaskAsr && *task != kTaskEmotion && *task != kTaskDenoise) {
    return Bad(path, absl::StrCat("task \"", *task, "\" is not one of asr, emotion, denoise"));
  }
  d.info.name = *name;
  d.info.task = *task;
  d.info.version = *version;
  d.type = *type;
  if (j.contains("default")) {
    if (!j["default"].is_boolean()) return Bad(path, "field \"default\" must be true or false");
    d.info.is_default = j["default"].get<bool>();
  }
  if (j.contains("description")) {
    if (!j["description"].is_string()) return Bad(path, "field \"description\" must be a string");
    d.info.description = j["description"].get<std::string>();
  }
  if (j.contains("file")) {
    if (!j["file"].is_string() || j["file"].get<std::string>().empty()) {
      return Bad(path,
                 "field \"file\" must be a non-empty string (the model file's path, "
                 "relative to the descriptor)");
    }
    d.file = j["file"].get<std::string>();
  }
  if (j.contains("lm")) {
    if (!j["lm"].is_string() || j["lm"].get<std::string>().empty()) {
      return Bad(path,
                 "field \"lm\" must be a non-empty string (an ARPA language model's "
                 "path, relative to the descriptor)");
    }
    d.lm = j["lm"].get<std::string>();
  }
  if (j.contains("lexicon")) {
    if (!j["lexicon"].is_string() || j["lexicon"].get<std::string>().empty()) {
      return Bad(path,
                 "field \"lexicon\" must be a non-empty string (a word list's path, relative "
                 "to the descriptor, one word per line; \"none\" to turn off the model "
                 "file's lexicon; to use the LM's words set decoder.lexicon \"lm\" in the "
                 "model file)");
    }
    d.lexicon = j["lexicon"].get<std::string>();
  }
  if (j.contains("params")) {
    if (!j["params"].is_object()) return Bad(path, "field \"params\" must be an object");
    for (const auto& [key, value] : j["params"].items()) {
      if (!value.is_number()) {
        return Bad(path, absl::StrCat("parameter \"", key, "\" must be a number"));
      }
      d.params[key] = value.get<double>();
    }
  }
  if (j.contains("metrics")) {
    if (!j["metrics"].is_object()) return Bad(path, "field \"metrics\" must be an object");
    for (const auto& [key, value] : j["metrics"].items()) {
      d.info.metrics[key] = value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return d;
}

}  // namespace auris::models
