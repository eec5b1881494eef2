#include "models/model_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "models/asr/asr_stream.h"
#include "models/denoise/classic_denoise_pipeline.h"
#include "models/denoise/neural_denoise_pipeline.h"
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

// Type, its task, and whether it loads a model file.
struct TypeInfo {
  const char* type;
  const char* task;
  bool neural;
};
constexpr TypeInfo kTypes[] = {{"classic_denoiser", kTaskDenoise, false},
                               {"neural_denoiser", kTaskDenoise, true},
                               {"emotion", kTaskEmotion, true},
                               {"asr", kTaskAsr, true}};
constexpr const char* kTypeNames = "classic_denoiser, neural_denoiser, emotion, asr";

absl::Status CheckNeuralDescriptor(const ModelDescriptor& d) {
  if (!d.params.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model descriptor ", d.path, ": type ", d.type,
                     " takes no \"params\"; its settings live in the model file"));
  }
  if (d.file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("model descriptor ", d.path, ": type ", d.type,
                     " needs \"file\": the model file (.safetensors), relative to the descriptor"));
  }
  return absl::OkStatus();
}

template <typename Pipeline>
absl::StatusOr<const Pipeline*> FindIn(const std::vector<std::unique_ptr<Pipeline>>& models,
                                       const char* task, std::string_view name) {
  if (models.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("no ", task, " model is loaded"));
  }
  if (name.empty()) {
    for (const auto& p : models) {
      if (p->info().is_default) return p.get();
    }
    return models.front().get();
  }
  std::vector<std::string> available;
  for (const auto& p : models) {
    if (p->info().name == name) return p.get();
    available.push_back(p->info().name);
  }
  return absl::NotFoundError(absl::StrCat("no ", task, " model named \"", std::string(name),
                                          "\"; available: ", absl::StrJoin(available, ", ")));
}

template <typename Pipeline>
absl::Status CheckOneDefault(const std::vector<std::unique_ptr<Pipeline>>& models, const char* task,
                             const std::string& models_dir) {
  int defaults = 0;
  for (const auto& p : models) defaults += p->info().is_default ? 1 : 0;
  if (defaults <= 1) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("models directory ", models_dir, ": ", defaults,
                                                 " ", task,
                                                 " models say \"default\": true; at most one may"));
}

template <typename Pipeline>
void AppendInfos(const std::vector<std::unique_ptr<Pipeline>>& models, std::string_view task,
                 std::vector<ModelInfo>* out) {
  const bool single = models.size() == 1;
  for (const auto& p : models) {
    if (!task.empty() && task != p->info().task) continue;
    ModelInfo info = p->info();
    info.is_default = info.is_default || single;
    out->push_back(std::move(info));
  }
}

std::vector<float> WarmUpNoise() {
  std::vector<float> noise(16000);
  uint32_t state = 12345;
  for (float& x : noise) {
    state = state * 1664525u + 1013904223u;
    x = static_cast<float>(state >> 8) / 16777216.0f * 0.2f - 0.1f;
  }
  return noise;
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

absl::StatusOr<std::unique_ptr<ModelRegistry>> ModelRegistry::Load(const std::string& models_dir,
                                                                   nn::BackendKind backend) {
  if (absl::Status s = nn::CheckBackendAvailable(backend); !s.ok()) return s;
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
    const TypeInfo* type = nullptr;
    for (const TypeInfo& t : kTypes) {
      if (d->type == t.type) type = &t;
    }
    if (type == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("model descriptor ", file.string(),
                                                     ": unknown type \"", d->type,
                                                     "\"; this build knows: ", kTypeNames));
    }
    if (d->info.task != type->task) {
      return absl::InvalidArgumentError(absl::StrCat("model descriptor ", file.string(), ": type ",
                                                     d->type, " serves task ", type->task, ", not ",
                                                     d->info.task));
    }
    if (!d->lexicon.empty() && d->type != std::string("asr")) {
      return absl::InvalidArgumentError(absl::StrCat("model descriptor ", file.string(),
                                                     ": field \"lexicon\" is only for type asr"));
    }
    if (!d->lm.empty() && d->type != std::string("asr")) {
      return absl::InvalidArgumentError(
          absl::StrCat("model descriptor ", file.string(), ": field \"lm\" is only for type asr"));
    }
    if (!type->neural) {
      absl::StatusOr<dsp::NoiseSuppressorConfig> config = ClassicConfig(*d);
      if (!config.ok()) return config.status();
      d->info.streaming = true;
      absl::StatusOr<std::unique_ptr<ClassicDenoisePipeline>> p =
          ClassicDenoisePipeline::Create(d->info, *config);
      if (!p.ok()) return p.status();
      registry->denoisers_.push_back(*std::move(p));
      continue;
    }
    if (absl::Status s = CheckNeuralDescriptor(*d); !s.ok()) return s;
    const fs::path model_path =
        fs::path(d->file).is_absolute() ? fs::path(d->file) : file.parent_path() / d->file;
    absl::Status loaded;
    if (d->type == std::string("asr")) {
      const auto relative = [&file](const std::string& p) {
        return p.empty() || fs::path(p).is_absolute() ? fs::path(p) : file.parent_path() / p;
      };
      absl::StatusOr<std::unique_ptr<AsrPipeline>> p = AsrPipeline::Load(
          d->info, model_path.string(), relative(d->lm).string(),
          d->lexicon == AsrPipeline::kNoLexicon ? std::string(AsrPipeline::kNoLexicon)
                                                : relative(d->lexicon).string(),
          backend);
      loaded = p.status();
      if (p.ok()) registry->asr_.push_back(*std::move(p));
    } else if (d->type == std::string("neural_denoiser")) {
      absl::StatusOr<std::unique_ptr<NeuralDenoisePipeline>> p =
          NeuralDenoisePipeline::Load(d->info, model_path.string(), backend);
      loaded = p.status();
      if (p.ok()) registry->denoisers_.push_back(*std::move(p));
    } else {
      absl::StatusOr<std::unique_ptr<EmotionPipeline>> p =
          EmotionPipeline::Load(d->info, model_path.string(), backend);
      loaded = p.status();
      if (p.ok()) registry->emotion_.push_back(*std::move(p));
    }
    if (!loaded.ok()) registry->skipped_.push_back({file.string(), d->info.name, loaded});
  }
  if (absl::Status s = CheckOneDefault(registry->denoisers_, kTaskDenoise, models_dir); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckOneDefault(registry->emotion_, kTaskEmotion, models_dir); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckOneDefault(registry->asr_, kTaskAsr, models_dir); !s.ok()) return s;
  return registry;
}

std::vector<ModelInfo> ModelRegistry::List(std::string_view task) const {
  std::vector<ModelInfo> out;
  AppendInfos(denoisers_, task, &out);
  AppendInfos(emotion_, task, &out);
  AppendInfos(asr_, task, &out);
  return out;
}

bool ModelRegistry::HasTask(std::string_view task) const {
  if (task == kTaskDenoise) return !denoisers_.empty();
  if (task == kTaskEmotion) return !emotion_.empty();
  if (task == kTaskAsr) return !asr_.empty();
  return false;
}

absl::StatusOr<const DenoisePipeline*> ModelRegistry::FindDenoise(std::string_view name) const {
  return FindIn(denoisers_, kTaskDenoise, name);
}

absl::StatusOr<const EmotionPipeline*> ModelRegistry::FindEmotion(std::string_view name) const {
  return FindIn(emotion_, kTaskEmotion, name);
}

absl::StatusOr<const AsrPipeline*> ModelRegistry::FindAsr(std::string_view name) const {
  return FindIn(asr_, kTaskAsr, name);
}

absl::Status ModelRegistry::WarmUp() const {
  const std::vector<float> noise = WarmUpNoise();
  std::vector<float> out;
  for (const auto& p : denoisers_) {
    absl::StatusOr<std::unique_ptr<DenoiseStream>> stream = p->CreateStream(16000, 16000);
    if (!stream.ok()) return stream.status();
    out.clear();
    if (absl::Status s = (*stream)->Accept(noise, &out); !s.ok()) return s;
    if (absl::Status s = (*stream)->Flush(&out); !s.ok()) return s;
    if (out.size() != noise.size()) {
      return absl::InternalError(absl::StrCat("warm-up of ", p->info().name, " returned ",
                                              out.size(), " samples for ", noise.size()));
    }
  }
  std::vector<EmotionFrame> frames;
  for (const auto& p : emotion_) {
    absl::StatusOr<std::unique_ptr<EmotionStream>> stream = p->CreateStream(16000);
    if (!stream.ok()) return stream.status();
    frames.clear();
    if (absl::Status s = (*stream)->Accept(noise, &frames); !s.ok()) return s;
    if (absl::Status s = (*stream)->Flush(&frames); !s.ok()) return s;
    if (frames.empty()) {
      return absl::InternalError(
          absl::StrCat("warm-up of ", p->info().name, " gave no frames for 1 s of audio"));
    }
  }
  std::vector<AsrEvent> events;
  for (const auto& p : asr_) {
    absl::StatusOr<std::unique_ptr<AsrStream>> stream = p->CreateStream(AsrStreamOptions{});
    if (!stream.ok()) return stream.status();
    events.clear();
    if (absl::Status s = (*stream)->Accept(noise, &events); !s.ok()) return s;
    if (absl::Status s = (*stream)->Flush(&events); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace auris::models
