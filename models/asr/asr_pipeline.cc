#include "models/asr/asr_pipeline.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "dsp/audio_format.h"
#include "models/asr/asr_stream.h"
#include "models/asr/log_mel_front_end.h"
#include "models/neural_model_loader.h"
#include "nn/lexicon_scorer.h"
#include "nn/word_lm_scorer.h"
#include "nn/workspace.h"

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
    } else if (key == "symbol_min_log_prob") {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() > 0.0) {
        return BadModel(info, absl::StrCat("decoder.symbol_min_log_prob is ", value.dump(),
                                           "; allowed: a finite log-probability <= 0 "
                                           "(e.g. -9.21 = ln 1e-4), or leave it out"));
      }
      d.symbol_min_log_prob = value.get<float>();
    } else if (key == "beam_threshold") {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0.0) {
        return BadModel(info, absl::StrCat("decoder.beam_threshold is ", value.dump(),
                                           "; allowed: a finite number of nats > 0, or leave "
                                           "it out (no threshold)"));
      }
      d.beam_threshold = value.get<double>();
    } else if (key == "oov_penalty") {
      if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0.0) {
        return BadModel(info, absl::StrCat("decoder.oov_penalty is ", value.dump(),
                                           "; allowed: a finite number of nats >= 0, or leave "
                                           "it out (lexicon words only)"));
      }
      d.oov_penalty = value.get<double>();
    } else if (key == "lexicon") {
      if (!value.is_string() || value.get<std::string>() != "lm") {
        return BadModel(info, absl::StrCat("decoder.lexicon is ", value.dump(),
                                           "; allowed: \"lm\" (the LM's 1-grams); a word list "
                                           "is named by the descriptor's \"lexicon\""));
      }
      d.lexicon_from_lm = true;
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

// True if `word` is a concatenation of the texts of symbols other than blank and separator.
bool Spellable(const std::string& word, const SymbolTable& table) {
  std::vector<char> reached(word.size() + 1, 0);
  reached[0] = 1;
  for (size_t i = 0; i < word.size(); ++i) {
    if (!reached[i]) continue;
    for (size_t s = 0; s < table.symbols.size(); ++s) {
      const std::string& text = table.symbols[s];
      if (static_cast<int32_t>(s) == table.blank || static_cast<int32_t>(s) == table.separator ||
          text.empty() || word.compare(i, text.size(), text) != 0) {
        continue;
      }
      reached[i + text.size()] = 1;
    }
  }
  return reached[word.size()] != 0;
}

absl::Status CheckLexicon(const ModelInfo& info, const std::vector<std::string>& words,
                          const SymbolTable& table, const std::string& source) {
  if (words.empty()) {
    return BadModel(
        info, absl::StrCat("the lexicon (", source, ") has no words; it needs at least one word"));
  }
  for (const std::string& w : words) {
    if (Spellable(w, table)) return absl::OkStatus();
  }
  return BadModel(info, absl::StrCat("none of the ", words.size(), " words of the lexicon (",
                                     source, ", e.g. \"", words[0],
                                     "\") can be spelled with the model's symbols; words are "
                                     "matched byte for byte, without case folding"));
}

// A lexicon scorer together with the LM scorer it refers to.
struct LexiconChain {
  std::unique_ptr<nn::WordLmScorer> word_lm;  // null when both weights are 0
  std::unique_ptr<nn::LexiconScorer> lexicon;
};

AsrPipeline::OutputKind LastLayerKind(const std::string& layers_json) {
  const Json layers = Json::parse(layers_json, nullptr, /*allow_exceptions=*/false);
  if (!layers.is_array() || layers.empty()) return AsrPipeline::OutputKind::kLogits;
  const std::string type = layers.back().value("type", "");
  if (type == "log_softmax") return AsrPipeline::OutputKind::kLogProbs;
  if (type == "softmax") return AsrPipeline::OutputKind::kProbs;
  return AsrPipeline::OutputKind::kLogits;
}

// The fewest zero rows for which a fresh state gives an output frame.
absl::StatusOr<int64_t> ProbeFirstOutputRows(const ModelInfo& info, const nn::Network& network) {
  const int64_t limit = 2 * (network.receptive_field() + network.subsampling());
  const int64_t dim = network.input_channels();
  const std::vector<float> rows(static_cast<size_t>(limit * dim), 0.0f);
  nn::Workspace workspace;
  for (int64_t n = 1; n <= limit; ++n) {
    std::unique_ptr<nn::NetworkState> state = network.InitState(1);
    workspace.Reset();
    absl::StatusOr<nn::TensorView> out = network.Forward(
        nn::ConstTensorView(rows.data(), nn::Shape{1, n, dim}), state.get(), &workspace);
    if (!out.ok()) return BadModel(info, absl::StrCat("network: ", out.status().message()));
    if (out->shape.rank() == 3 && out->shape[1] > 0) return n;
  }
  return BadModel(info,
                  absl::StrCat("the network gives no output frame for ", limit,
                               " input frames (receptive field ", network.receptive_field(), ")"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<AsrPipeline>> AsrPipeline::Create(
    ModelInfo info, std::unique_ptr<const nn::Network> network,
    std::shared_ptr<const nn::ArpaLm> lm, std::optional<std::vector<std::string>> lexicon,
    std::unique_ptr<const nn::NetworkRunner> runner) {
  if (info.task != kTaskAsr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model \"", info.name, "\" has task \"", info.task, "\"; an asr model needs task \"asr\""));
  }
  const nn::ModelMetadata& meta = network->metadata();
  if (meta.task != kTaskAsr) {
    return BadModel(info,
                    absl::StrCat("the model file's task is \"", meta.task, "\", not \"asr\""));
  }
  absl::StatusOr<dsp::FeatureConfig> features =
      NetworkLogMelConfig(*network, absl::StrCat("asr model \"", info.name, "\""), info.name);
  if (!features.ok()) return features.status();
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
  const Json j = Json::parse(meta.json, nullptr, /*allow_exceptions=*/false);
  absl::StatusOr<AsrDecoderDefaults> defaults = ParseDecoderDefaults(info, j, lm != nullptr);
  if (!defaults.ok()) return defaults.status();
  if (defaults->lexicon_from_lm && lm == nullptr && !lexicon.has_value()) {
    return BadModel(info,
                    "decoder.lexicon \"lm\" needs a language model, and the model has none "
                    "(name one with the descriptor's \"lm\" or --lm, or turn the lexicon off "
                    "with the descriptor's \"lexicon\": \"none\" or --lexicon none)");
  }
  if (lexicon.has_value() && lexicon->empty()) {
    lexicon.reset();  // explicitly none: the model file's decoder.lexicon is turned off
  } else if (lexicon.has_value() || defaults->lexicon_from_lm) {
    const std::string source = lexicon.has_value() ? "word list" : "the LM's 1-grams";
    pipeline->lexicon_ =
        lexicon.has_value() ? *std::move(lexicon) : nn::LexiconScorer::LmWords(*lm);
    if (absl::Status s = CheckLexicon(info, pipeline->lexicon_, table, source); !s.ok()) return s;
    pipeline->lexicon_set_.insert(pipeline->lexicon_.begin(), pipeline->lexicon_.end());
    if (defaults->beam_size == 1) {
      return BadModel(info,
                      "a lexicon needs beam search, but decoder.beam is 1 (greedy); set it to "
                      "2 or more or drop the lexicon");
    }
  }
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
  absl::StatusOr<int64_t> first_output_rows = ProbeFirstOutputRows(info, *network);
  if (!first_output_rows.ok()) return first_output_rows.status();
  pipeline->first_output_rows_ = *first_output_rows;
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
  pipeline->runner_ = RunnerOrCpu(std::move(runner), pipeline->network_.get());
  pipeline->lm_ = std::move(lm);
  pipeline->features_ = *std::move(features);
  pipeline->defaults_ = *defaults;
  pipeline->aligner_ = *std::move(aligner);
  pipeline->output_kind_ = LastLayerKind(pipeline->network_->metadata().layers_json);
  if (pipeline->has_lexicon()) {
    const AsrDecoderDefaults& d = pipeline->defaults_;
    absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> scorer =
        pipeline->LmScorer(d.lm_weight, d.word_insertion_bonus);
    if (!scorer.ok()) return scorer.status();
  }
  return pipeline;
}

absl::StatusOr<std::unique_ptr<AsrPipeline>> AsrPipeline::Load(ModelInfo info,
                                                               const std::string& model_path,
                                                               const std::string& lm_path,
                                                               const std::string& lexicon_path,
                                                               nn::BackendKind backend) {
  absl::StatusOr<NeuralNetwork> loaded = LoadNeuralModel(model_path, &info, backend);
  if (!loaded.ok()) return loaded.status();
  std::shared_ptr<const nn::ArpaLm> lm;
  if (!lm_path.empty()) {
    absl::StatusOr<std::unique_ptr<nn::ArpaLm>> loaded = nn::ArpaLm::Load(lm_path);
    if (!loaded.ok()) return loaded.status();
    lm = *std::move(loaded);
  }
  std::optional<std::vector<std::string>> lexicon;
  if (lexicon_path == kNoLexicon) {
    lexicon.emplace();  // empty: no lexicon, whatever the model file says
  } else if (!lexicon_path.empty()) {
    absl::StatusOr<std::vector<std::string>> words = nn::LexiconScorer::ReadWordList(lexicon_path);
    if (!words.ok()) {
      return absl::Status(words.status().code(),
                          absl::StrCat("asr model \"", info.name,
                                       "\": lexicon: ", std::string(words.status().message()),
                                       " (expected a word-list file, one word per line)"));
    }
    if (words->empty()) {
      return BadModel(info, absl::StrCat("lexicon word list ", lexicon_path,
                                         " has no words; it needs one word per line"));
    }
    lexicon = *std::move(words);
  }
  return Create(std::move(info), std::move(loaded->network), std::move(lm), std::move(lexicon),
                std::move(loaded->runner));
}

bool AsrPipeline::InLexicon(const std::string& word) const { return lexicon_set_.contains(word); }

absl::StatusOr<std::shared_ptr<const nn::CtcScorer>> AsrPipeline::LmScorer(
    double lm_weight, double word_insertion_bonus, const std::vector<std::string>& extra_words,
    std::optional<double> oov_penalty) const {
  const bool fused = lm_weight != 0.0 || word_insertion_bonus != 0.0;
  if (!fused && lexicon_.empty()) return nullptr;
  if (lm_ == nullptr && lm_weight != 0.0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model \"", info_.name, "\" has no language model; lm_weight must be 0"));
  }
  std::vector<std::string> extra;
  if (!lexicon_.empty()) {
    for (const std::string& w : extra_words) {
      if (!w.empty() && !InLexicon(w)) extra.push_back(w);
    }
    std::sort(extra.begin(), extra.end());
    extra.erase(std::unique(extra.begin(), extra.end()), extra.end());
  }
  std::lock_guard<std::mutex> lock(cache_mu_);
  const double oov = lexicon_.empty() ? 0.0 : oov_penalty.value_or(defaults_.oov_penalty);
  const ScorerKey key{lm_weight, word_insertion_bonus, absl::StrJoin(extra, "\n"), oov};
  for (const auto& [k, scorer] : scorer_cache_) {
    if (k == key) return scorer;
  }
  const std::string& separator = symbols_.symbols[symbols_.separator];
  std::vector<std::string> symbols = symbols_.symbols;
  symbols[symbols_.blank] = "";
  std::unique_ptr<nn::WordLmScorer> word_lm;
  if (fused) {
    nn::WordLmScorerConfig config;
    config.lm_weight = lm_weight;
    config.word_insertion_bonus = word_insertion_bonus;
    config.word_separator = separator;
    absl::StatusOr<std::unique_ptr<nn::WordLmScorer>> scorer =
        nn::WordLmScorer::Create(config, lm_ != nullptr ? lm_ : unk_only_lm_, symbols);
    if (!scorer.ok()) return scorer.status();
    word_lm = *std::move(scorer);
  }
  std::shared_ptr<const nn::CtcScorer> shared;
  if (lexicon_.empty()) {
    shared = std::move(word_lm);
  } else {
    auto chain = std::make_shared<LexiconChain>();
    chain->word_lm = std::move(word_lm);
    std::vector<std::string> words;
    const std::vector<std::string>* all = &lexicon_;
    if (!extra.empty()) {
      words = lexicon_;
      words.insert(words.end(), extra.begin(), extra.end());
      all = &words;
    }
    absl::StatusOr<std::unique_ptr<nn::LexiconScorer>> lexicon =
        nn::LexiconScorer::Create(*all, std::move(symbols), separator, chain->word_lm.get(), oov);
    if (!lexicon.ok()) {
      return BadModel(info_, absl::StrCat("lexicon: ", std::string(lexicon.status().message())));
    }
    chain->lexicon = *std::move(lexicon);
    shared = std::shared_ptr<const nn::CtcScorer>(chain, chain->lexicon.get());
  }
  if (scorer_cache_.size() >= kScorerCacheSize) {
    // Evict the oldest scorer built for a request's phrase words if there is one, so that
    // many different phrase sets do not push out the plain scorers every stream uses.
    auto victim = std::find_if(scorer_cache_.begin(), scorer_cache_.end(),
                               [](const auto& entry) { return !std::get<2>(entry.first).empty(); });
    scorer_cache_.erase(victim != scorer_cache_.end() ? victim : scorer_cache_.begin());
  }
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
  absl::StatusOr<std::unique_ptr<LogMelInput>> input =
      LogMelInput::Create(options.input_rate_hz, features_);
  if (!input.ok()) return input.status();
  stream->input_ = *std::move(input);
  absl::StatusOr<std::unique_ptr<nn::RunnerState>> state = runner_->InitState(1);
  if (!state.ok()) return state.status();
  stream->state_ = *std::move(state);
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
