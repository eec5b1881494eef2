// `auris_transcribe`: offline speech recognition with the C++ engine in-process (no server),
// for evaluation (models/recipes/asr `eval --engine cpp`) and batch jobs:
//   auris_transcribe --model M.safetensors [--lm L.arpa] (--wav-list FILE | IN...)
// prints one line "<path>\t<transcript>" per input, in input order (the utterances' best
// transcripts joined by a space). Exit code 0, 1 if any file failed, 2 on bad usage.
#include <CLI/CLI.hpp>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_join.h"
#include "clients/client_common.h"
#include "dsp/audio_decoder.h"
#include "models/asr/asr_pipeline.h"
#include "models/asr/asr_stream.h"

namespace {

using auris::models::AsrEvent;

struct Output {
  std::string transcript;
  nlohmann::json results = nlohmann::json::array();
  std::string error;
};

Output Transcribe(const auris::models::AsrPipeline& pipeline,
                  auris::models::AsrStreamOptions options, const std::string& path, int chunk_ms) {
  Output out;
  absl::StatusOr<std::string> bytes = auris::client::ReadFileBytes(path);
  absl::StatusOr<auris::dsp::DecodedAudio> audio =
      bytes.ok() ? auris::dsp::DecodeAudio(*bytes, {}) : bytes.status();
  if (!audio.ok()) {
    out.error = std::string(audio.status().message());
    return out;
  }
  options.input_rate_hz = audio->sample_rate_hz;
  absl::StatusOr<std::unique_ptr<auris::models::AsrStream>> stream = pipeline.CreateStream(options);
  if (!stream.ok()) {
    out.error = std::string(stream.status().message());
    return out;
  }
  std::vector<AsrEvent> events;
  const std::span<const float> all(audio->samples);
  const size_t chunk = chunk_ms > 0 ? static_cast<size_t>(audio->sample_rate_hz) * chunk_ms / 1000
                                    : std::max<size_t>(all.size(), 1);
  absl::Status status;
  for (size_t pos = 0; pos < all.size() && status.ok(); pos += chunk) {
    status = (*stream)->Accept(all.subspan(pos, std::min(chunk, all.size() - pos)), &events);
  }
  if (status.ok()) status = (*stream)->Flush(&events);
  if (!status.ok()) {
    out.error = std::string(status.message());
    return out;
  }
  std::vector<std::string> texts;
  for (const AsrEvent& e : events) {
    if (e.type != AsrEvent::Type::kFinal || e.result.alternatives.empty()) continue;
    const auris::models::AsrAlternative& best = e.result.alternatives[0];
    texts.push_back(best.transcript);
    nlohmann::json words = nlohmann::json::array();
    for (const auto& w : best.words) {
      words.push_back({{"word", w.word},
                       {"start", w.start_ns * 1e-9},
                       {"end", w.end_ns * 1e-9},
                       {"confidence", w.confidence}});
    }
    out.results.push_back({{"transcript", best.transcript},
                           {"confidence", best.confidence},
                           {"start", e.result.start_ns * 1e-9},
                           {"end", e.result.end_ns * 1e-9},
                           {"words", words}});
  }
  out.transcript = absl::StrJoin(texts, " ");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"auris_transcribe: offline speech recognition with the auris C++ engine"};
  std::string model, lm, lexicon, wav_list;
  std::vector<std::string> inputs;
  int beam = 0, threads = 1, chunk_ms = 0, silence_ms = 0;
  float lm_weight = 0.0f, word_bonus = 0.0f;
  bool json = false, no_endpointing = false;
  app.add_option("--model", model, "ASR model file (.safetensors)")->required();
  app.add_option("--lm", lm, "ARPA word language model");
  app.add_option("--lexicon", lexicon,
                 "Word list (one word per line): output only these words; \"none\": no "
                 "lexicon even if the model file names one");
  app.add_option("--wav-list", wav_list, "File with one audio path per line");
  app.add_option("IN", inputs, "Audio files or folders");
  app.add_option("--beam", beam, "0 = model default, 1 = greedy")->capture_default_str();
  CLI::Option* lm_option = app.add_option("--lm_weight", lm_weight, "Default: the model's");
  CLI::Option* bonus_option =
      app.add_option("--word_bonus", word_bonus, "Word insertion bonus; default: the model's");
  double symbol_floor = 0.0, beam_threshold = 0.0;
  CLI::Option* floor_option = app.add_option(
      "--symbol_min_log_prob", symbol_floor,
      "Beam search tries no symbol below this frame log-probability; default: the model's");
  CLI::Option* threshold_option = app.add_option(
      "--beam_threshold", beam_threshold,
      "Beam search drops hypotheses this many nats below the best; default: the model's");
  double oov_penalty = 0.0;
  CLI::Option* oov_option = app.add_option(
      "--oov_penalty", oov_penalty,
      "With a lexicon: cost of a word outside it (>= 0, inf = none allowed); default: the "
      "model's");
  app.add_option("--threads", threads, "Files decoded in parallel")->capture_default_str();
  app.add_option("--chunk_ms", chunk_ms, "Feed audio in chunks of this length (0 = whole)")
      ->capture_default_str();
  app.add_option("--min_trailing_silence_ms", silence_ms, "Endpointing (0 = default)");
  app.add_flag("--no_endpointing", no_endpointing, "One utterance per file");
  app.add_flag("--json", json, "One JSON object per file with results and word times");
  CLI11_PARSE(app, argc, argv);

  if (!wav_list.empty()) {
    std::ifstream in(wav_list);
    if (!in) {
      std::cerr << "error: cannot read " << wav_list << "\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) inputs.push_back(line);
    }
  }
  absl::StatusOr<std::vector<std::string>> files = auris::client::ExpandInputs(inputs);
  if (!files.ok()) {
    std::cerr << "error: " << files.status().message() << "\n";
    return 2;
  }
  auris::models::ModelInfo info;
  info.name = std::filesystem::path(model).stem().string();
  info.task = auris::models::kTaskAsr;
  absl::StatusOr<std::unique_ptr<auris::models::AsrPipeline>> pipeline =
      auris::models::AsrPipeline::Load(info, model, lm, lexicon);
  if (!pipeline.ok()) {
    std::cerr << "error: " << pipeline.status() << "\n";
    return 2;
  }
  auris::models::AsrStreamOptions options;
  options.beam_size = beam;
  if (lm_option->count() > 0) options.lm_weight = lm_weight;
  if (bonus_option->count() > 0) options.word_insertion_bonus = word_bonus;
  if (floor_option->count() > 0) options.symbol_min_log_prob = symbol_floor;
  if (threshold_option->count() > 0) options.beam_threshold = beam_threshold;
  if (oov_option->count() > 0) options.oov_penalty = oov_penalty;
  options.endpointing.min_trailing_silence_ms = silence_ms;
  options.endpointing.enabled = !no_endpointing;
  if (absl::Status s = (*pipeline)->CreateStream(options).status(); !s.ok()) {
    std::cerr << "error: " << s.message() << "\n";
    return 2;
  }
  std::vector<Output> outputs(files->size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, threads); ++t) {
    workers.emplace_back([&]() {
      for (size_t i = next++; i < files->size(); i = next++) {
        outputs[i] = Transcribe(**pipeline, options, (*files)[i], chunk_ms);
      }
    });
  }
  for (std::thread& w : workers) w.join();
  int failures = 0;
  for (size_t i = 0; i < files->size(); ++i) {
    const Output& o = outputs[i];
    if (!o.error.empty()) {
      std::cerr << "error: " << (*files)[i] << ": " << o.error << "\n";
      ++failures;
    }
    if (json) {
      nlohmann::json j = {
          {"path", (*files)[i]}, {"transcript", o.transcript}, {"results", o.results}};
      if (!o.error.empty()) j["error"] = o.error;
      std::cout << j.dump() << "\n";
    } else {
      std::cout << (*files)[i] << "\t" << o.transcript << "\n";
    }
  }
  return failures == 0 ? 0 : 1;
}
