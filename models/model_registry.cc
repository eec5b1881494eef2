#include "models/model_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "models/denoise/classic_denoise_pipeline.h"
#include "models/model_descriptor.h"

namespace auris::models {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<dsp::NoiseSuppressorConfig> ClassicConfig(const ModelDescriptor& d) {
  dsp::NoiseSuppressorConfig config;
  for (const auto& [key, value] : d.params) {
    if (key == "frame_ms") {
      config.frame_ms = static_cast<float>(value);
    } else if (key == "hop_ms") {
      config.hop_ms = static_cast<float>(value);
    } else if (key == "min_gain_db") {
      config.min_gain_db = static_cast<float>(value);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("model descriptor ", d.path, ": unknown parameter \"", key,
                       "\" for type classic_denoiser; allowed: frame_ms, hop_ms, min_gain_db"));
    }
  }
  if (absl::Status s = config.Validate(); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("model descriptor ", d.path, ": ", s.message()));
  }
  return config;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::Status ValidateTaskName(std::string_view task) {
  if (task.empty() || task == kTaskAsr || task == kTaskEmotion || task == kTaskDenoise) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown task \"", std::string(task),
                                                 "\"; allowed: \"\" (all), asr, emotion, denoise"));
}

absl::StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::Load(const std::string& models_dir) {
  std::error_code ec;
  if (!fs::is_directory(models_dir, ec)) {
    return absl::NotFoundError(absl::StrCat("models directory ", models_dir, " does not exist"));
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(models_dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  auto registry = std::unique_ptr<ModelRegistry>(new ModelRegistry());
  registry->models_dir_ = models_dir;
  std::set<std::string> names;
  for (const fs::path& file : files) {
    absl::StatusOr<std::string> text = ReadFile(file);
    if (!text.ok()) return text.status();
    absl::StatusOr<ModelDescriptor> d = ParseModelDescriptor(*text, file.string());
    if (!d.ok()) return d.status();
    if (!names.insert(d->info.name).second) {
      return absl::InvalidArgumentError(absl::StrCat("model descriptor ", file.string(),
                                                     ": a model named \"", d->info.name,
                                                     "\" is already loaded"));
    }
    if (d->type == "classic_denoiser") {
      absl::StatusOr<dsp::NoiseSuppressorConfig> config = ClassicConfig(*d);
      if (!config.ok()) return config.status();
      d->info.streaming = true;
      absl::StatusOr<std::unique_ptr<ClassicDenoisePipeline>> p =
          ClassicDenoisePipeline::Create(d->info, *config);
      if (!p.ok()) return p.status();
      registry->denoisers_.push_back(*std::move(p));
    } else {
      return absl::InvalidArgumentError(absl::StrCat("model descriptor ", file.string(),
                                                     ": unknown type \"", d->type,
                                                     "\"; this build knows: classic_denoiser"));
    }
  }
  int defaults = 0;
  for (const auto& p : registry->denoisers_) defaults += p->info().is_default ? 1 : 0;
  if (defaults > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("models directory ", models_dir, ": ", defaults,
                     " denoise models say \"default\": true; at most one may"));
  }
  return registry;
}

std::vector<ModelInfo> ModelRegistry::List(std::string_view task) const {
  std::vector<ModelInfo> out;
  const bool single = denoisers_.size() == 1;
  for (const auto& p : denoisers_) {
    if (!task.empty() && task != p->info().task) continue;
    ModelInfo info = p->info();
    info.is_default = info.is_default || single;
    out.push_back(std::move(info));
  }
  return out;
}

bool ModelRegistry::HasTask(std::string_view task) const {
  if (task == kTaskDenoise) return !denoisers_.empty();
  return false;
}

absl::StatusOr<const DenoisePipeline*> ModelRegistry::FindDenoise(std::string_view name) const {
  if (denoisers_.empty()) return absl::FailedPreconditionError("no denoise model is loaded");
  if (name.empty()) {
    for (const auto& p : denoisers_) {
      if (p->info().is_default) return p.get();
    }
    return denoisers_.front().get();
  }
  std::vector<std::string> available;
  for (const auto& p : denoisers_) {
    if (p->info().name == name) return p.get();
    available.push_back(p->info().name);
  }
  return absl::NotFoundError(absl::StrCat("no denoise model named \"", std::string(name),
                                          "\"; available: ", absl::StrJoin(available, ", ")));
}

absl::Status ModelRegistry::WarmUp() const {
  std::vector<float> noise(16000), out;
  uint32_t state = 12345;
  for (float& x : noise) {
    state = state * 1664525u + 1013904223u;
    x = static_cast<float>(state >> 8) / 16777216.0f * 0.2f - 0.1f;
  }
  for (const auto& p : denoisers_) {
    absl::StatusOr<std::unique_ptr<DenoiseStream>> stream = p->CreateStream(16000, 16000);
    if (!stream.ok()) return stream.status();
    out.clear();
    (*stream)->Accept(noise, &out);
    (*stream)->Flush(&out);
    if (out.size() != noise.size()) {
      return absl::InternalError(absl::StrCat("warm-up of ", p->info().name, " returned ",
                                              out.size(), " samples for ", noise.size()));
    }
  }
  return absl::OkStatus();
}

}  // namespace auris::models
