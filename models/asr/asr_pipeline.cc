#include "models/asr/asr_pipeline.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "dsp/audio_format.h"
#include "models/asr/asr_stream.h"
#include "models/asr/log_mel_front_end.h"
#include "models/neural_model_loader.h"
#include "nn/word_lm_scorer.h"

namespace auris::models {
namespace {

using Json = nlohmann::json;

constexpr size_t kScorerCacheSize = 16;
constexpr const char* kBlankNames[] = {"<blank>", "<b>", "_", ""};

absl::Status BadModel(const ModelInfo& info, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("asr model \"", info.name, "\": ", what));
}

absl::StatusOr<AsrDecoderDefaults> ParseDecoderDefaults(const ModelInfo& info, const Json& meta,
                                                        bool has_lm) {
  AsrDecoderDefaults d;
  if (!has_lm) d.lm_weight = 0.0;
  if (!meta.contains("decoder")) return d;
  const Json& j = meta["decoder"];
  if (!j.is_object()) return BadModel(info, "metadata field \"decoder\" must be an object");
  for (const auto& [key, value] : j.items()) {
    if (key == "beam" || key == "beam_size") {
      if (!value.is_number_integer() || value.get<int64_t>() < 1 ||
          value.get<int64_t>() > AsrStreamOptions::kMaxBeamSize) {
        return BadModel(info, absl::StrCat("decoder.", key, " must be an integer in 1..",
                                           AsrStreamOptions::kMaxBeamSize));
      }
      d.beam_size = value.get<int>();
    } else if (key == "lm_weight" || key == "word_insertion_bonus") {
      if (!value.is_number() || !std::isfinite(value.get<double>())) {
        return BadModel(info, absl::StrCat("decoder.", key, " must be a finite number"));
      }
      (key == "lm_weight" ? d.lm_weight : d.word_insertion_bonus) = value.get<double>();
    } else if (key == "confidence_calibration") {
      const auto number = [&](const char* field, double* out) {
        if (!value.is_object() || !value.contains(field) || !value[field].is_number() ||
            !std::isfinite(value[field].get<double>())) {
          return false;
        }
        *out = value[field].get<double>();
        return true;
      };
      if (!number("scale", &d.confidence_scale) || !number("bias", &d.confidence_bias) ||
          d.confidence_scale <= 0.0) {
        return BadModel(info,
                        "decoder.confidence_calibration must be an object with a finite "
                        "\"scale\" > 0 and a finite \"bias\"");
      }
    }
  }
  if (d.lm_weight < 0.0) return BadModel(info, "decoder.lm_weight must be >= 0");
  if (!has_lm) d.lm_weight = 0.0;
  return d;
}

AsrPipeline::OutputKind LastLayerKind(const std::string& layers_json) {
  const Json layers = Json::parse(layers_json, nullptr, /*allow_exceptions=*/false);
  if (!layers.is_array() || layers.empty()) return AsrPipeline::OutputKind::kLogits;
  const std::string type = layers.back().value("type", "");
  if (type == "log_softmax") return AsrPipeline::OutputKind::kLogProbs;
  if (type == "softmax") return AsrPipeline::OutputKind::kProbs;
  return AsrPipeline::OutputKind::kLogits;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AsrPipeline>> AsrPipeline::Create(
    ModelInfo info, std::unique_ptr<const nn::Network> network,
    std::shared_ptr<const nn::ArpaLm> lm) {
  if (info.task != kTaskAsr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model \"", info.name, "\" has task \"", info.task, "\"; an asr model needs task \"asr\""));
  }
  const nn::ModelMetadata& meta = network->metadata();
  if (meta.task != kTaskAsr) {
    return BadModel(info,
                    absl::StrCat("the model file's task is \"", meta.task, "\", not \"asr\""));
  }
  if (meta.front_end_type != "logmel") {
    return BadModel(info, absl::StrCat("front_end type \"", meta.front_end_type,
                                       "\" is not supported for asr; expected logmel"));
  }
  absl::StatusOr<dsp::FeatureConfig> features = LogMelFeatureConfig(meta.front_end_json, info.name);
  if (!features.ok()) return features.status();
  if (features->sample_rate != meta.sample_rate_hz) {
    return BadModel(info, absl::StrCat("front_end.sample_rate ", features->sample_rate,
                                       " differs from sample_rate_hz ", meta.sample_rate_hz));
  }
  auto pipeline = std::unique_ptr<AsrPipeline>(new AsrPipeline());
  SymbolTable& table = pipeline->symbols_;
  table.symbols = meta.vocabulary;
  table.blank = -1;
  for (size_t i = 0; i < table.symbols.size(); ++i) {
    for (const char* name : kBlankNames) {
      if (table.blank < 0 && table.symbols[i] == name) table.blank = static_cast<int32_t>(i);
    }
    if (table.symbols[i] == " ") table.separator = static_cast<int32_t>(i);
  }
  if (table.blank < 0 || table.separator < 0) {
    return BadModel(info,
                    "the vocabulary needs a blank (\"<blank>\") and a word separator (\" \")");
  }
  if (network->output_channels() != static_cast<int64_t>(table.symbols.size())) {
    return BadModel(info, absl::StrCat("the network gives ", network->output_channels(),
                                       " outputs for a vocabulary of ", table.symbols.size()));
  }
  if (network->input_channels() != features->n_mels) {
    return BadModel(
        info, absl::StrCat("the network takes ", network->input_channels(),
                           " channels but the front end gives ", features->n_mels, " mel bins"));
  }
  const auto& extra = network->extra_tensors();
  const auto mean = extra.find("cmvn.mean");
  const auto std_dev = extra.find("cmvn.std");
  if ((mean == extra.end()) != (std_dev == extra.end())) {
    return BadModel(info, "the model file has only one of cmvn.mean and cmvn.std");
  }
  if (mean != extra.end()) {
    if (mean->second.size() != features->n_mels || std_dev->second.size() != features->n_mels) {
      return BadModel(info, absl::StrCat("cmvn.mean and cmvn.std must hold ", features->n_mels,
                                         " values each"));
    }
    features->cmvn = dsp::CmvnMode::kGlobal;
    features->cmvn_mean.assign(mean->second.data(), mean->second.data() + mean->second.size());
    features->cmvn_std.assign(std_dev->second.data(),
                              std_dev->second.data() + std_dev->second.size());
    if (absl::Status s = features->Validate(); !s.ok()) {
      return BadModel(info, absl::StrCat("cmvn: ", std::string(s.message())));
    }
  }
  const Json j = Json::parse(meta.json, nullptr, /*allow_exceptions=*/false);
  absl::StatusOr<AsrDecoderDefaults> defaults = ParseDecoderDefaults(info, j, lm != nullptr);
  if (!defaults.ok()) return defaults.status();
  const int64_t hop_subsampled = static_cast<int64_t>(features->hop) * network->subsampling();
  pipeline->frame_ns_ = hop_subsampled * 1000000000LL / features->sample_rate;
  if (j.contains("streaming") && j["streaming"].is_object() &&
      j["streaming"].contains("subsampling") && j["streaming"]["subsampling"].is_number_integer() &&
      j["streaming"]["subsampling"].get<int64_t>() != network->subsampling()) {
    return BadModel(info, absl::StrCat("streaming.subsampling says ",
                                       j["streaming"]["subsampling"].get<int64_t>(),
                                       " but the layers subsample by ", network->subsampling()));
  }
  if (j.contains("streaming") && j["streaming"].is_object() &&
      j["streaming"].contains("frame_shift_ms") && j["streaming"]["frame_shift_ms"].is_number()) {
    const double declared = j["streaming"]["frame_shift_ms"].get<double>();
    if (std::abs(declared * 1e6 - static_cast<double>(pipeline->frame_ns_)) > 1e3) {
      return BadModel(info, absl::StrCat("streaming.frame_shift_ms says ", declared,
                                         " ms but front end hop x subsampling gives ",
                                         static_cast<double>(pipeline->frame_ns_) / 1e6, " ms"));
    }
  }
  absl::StatusOr<std::unique_ptr<nn::CtcForcedAligner>> aligner =
      nn::CtcForcedAligner::Create({.blank = table.blank});
  if (!aligner.ok()) return aligner.status();
  if (lm == nullptr) {
    absl::StatusOr<std::unique_ptr<nn::ArpaLm>> unk =
        nn::ArpaLm::Parse("\\data\\\nngram 1=1\n\n\\1-grams:\n0 <unk>\n\n\\end\\\n");
    if (!unk.ok()) return unk.status();
    pipeline->unk_only_lm_ = *std::move(unk);
  }
  info.sample_rate_hz = meta.sample_rate_hz;
  info.streaming = true;
  pipeline->info_ = std::move(info);
  pipeline->network_ = std::move(network);
  pipeline->lm_ = std::move(lm);
  pipeline->features_ = *std::move(features);
  pipeline->defaults_ = *defaults;
  pipeline->aligner_ = *std::move(aligner);
  pipeline->output_kind_ = LastLayerKind(pipeline->network_->metadata().layers_json);
  return pipeline;
}

absl::StatusOr<std::unique_ptr<AsrPipeline>> AsrPipeline::Load(ModelInfo info,
                                                               const std::string& model_path,
                                                               const std::string& lm_path) {
  absl::StatusOr<std::unique_ptr<nn::Network>> network = LoadNeuralModel(model_path, &info);
  if (!network.ok()) return network.status();
  std::shared_ptr<const nn::ArpaLm> lm;
  if (!lm_path.empty()) {
    absl::StatusOr<std::unique_ptr<nn::ArpaLm>> loaded = nn::ArpaLm::Load(lm_path);
    if (!loaded.ok()) return loaded.status();
    lm = *std::move(loaded);
  }
  return Create(std::move(info), *std::move(network), std::move(lm));
}

absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> AsrPipeline::LmScorer(
    double lm_weight, double word_insertion_bonus) const {
  if (lm_weight == 0.0 && word_insertion_bonus == 0.0) return nullptr;
  if (lm_ == nullptr && lm_weight != 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model \"", info_.name, "\" has no language model; lm_weight must be 0"));
  }
  std::lock_guard<std::mutex> lock(cache_mu_);
  const std::pair<double, double> key{lm_weight, word_insertion_bonus};
  for (const auto& [k, scorer] : scorer_cache_) {
    if (k == key) return scorer;
  }
  nn::WordLmScorerConfig config;
  config.lm_weight = lm_weight;
  config.word_insertion_bonus = word_insertion_bonus;
  config.word_separator = symbols_.symbols[symbols_.separator];
  std::vector<std::string> symbols = symbols_.symbols;
  symbols[symbols_.blank] = "";
  absl::StatusOr<std::unique_ptr<nn::WordLmScorer>> scorer =
      nn::WordLmScorer::Create(config, lm_ != nullptr ? lm_ : unk_only_lm_, std::move(symbols));
  if (!scorer.ok()) return scorer.status();
  std::shared_ptr<const nn::CtcScorer> shared = *std::move(scorer);
  if (scorer_cache_.size() >= kScorerCacheSize) scorer_cache_.erase(scorer_cache_.begin());
  scorer_cache_.emplace_back(key, shared);
  return shared;
}

absl::StatusOr<std::unique_ptr<AsrStream>> AsrPipeline::CreateStream(
    const AsrStreamOptions& options) const {
  if (absl::Status s = options.Validate(); !s.ok()) return s;
  auto stream = std::unique_ptr<AsrStream>(new AsrStream(this));
  absl::StatusOr<std::unique_ptr<AsrDecoder>> decoder = AsrDecoder::Create(*this, options);
  if (!decoder.ok()) return decoder.status();
  stream->decoder_ = *std::move(decoder);
  if (options.input_rate_hz != model_rate_hz()) {
    absl::StatusOr<std::unique_ptr<dsp::Resampler>> r =
        dsp::Resampler::Create(options.input_rate_hz, model_rate_hz());
    if (!r.ok()) return r.status();
    stream->to_model_rate_ = *std::move(r);
  }
  absl::StatusOr<std::unique_ptr<dsp::FeatureExtractor>> features =
      dsp::FeatureExtractor::Create(features_);
  if (!features.ok()) return features.status();
  stream->features_ = *std::move(features);
  stream->state_ = network_->InitState(1);
  const int64_t frame_ms = std::max<int64_t>(1, frame_ns_ / 1000000);
  const int silence_ms = options.endpointing.min_trailing_silence_ms > 0
                             ? options.endpointing.min_trailing_silence_ms
                             : AsrStreamOptions::kDefaultTrailingSilenceMs;
  const int longest_ms = options.endpointing.max_utterance_ms > 0
                             ? options.endpointing.max_utterance_ms
                             : AsrStreamOptions::kDefaultMaxUtteranceMs;
  stream->silence_frames_needed_ = std::max<int64_t>(1, (silence_ms + frame_ms - 1) / frame_ms);
  stream->max_utterance_frames_ = std::max<int64_t>(1, longest_ms / frame_ms);
  stream->endpointing_ = options.endpointing.enabled;
  return stream;
}

}  // namespace auris::models
