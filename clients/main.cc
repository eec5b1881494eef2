// `auris`: the command-line client of auris-server (health, models, denoise, transcribe,
// emotion). Exit code 0 on success, 1 when a call failed, 2 on bad usage.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "auris/v1/models.grpc.pb.h"
#include "auris/v1/speech.grpc.pb.h"
#include "clients/client_common.h"
#include "clients/denoise_command.h"
#include "clients/emotion_command.h"
#include "clients/transcribe_command.h"
#ifdef AURIS_WITH_PORTAUDIO
#include "clients/mic_command.h"
#endif
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

using auris::client::GlobalOptions;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

const char* const kServices[] = {"", "auris.v1.Speech", "auris.v1.Emotion", "auris.v1.Enhancement",
                                 "auris.v1.Models"};

int RunHealth(const GlobalOptions& global, double wait_seconds) {
  auto stub = grpc::health::v1::Health::NewStub(auris::client::MakeChannel(global));
  const auto give_up = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(static_cast<long long>(wait_seconds * 1000));
  grpc::Status status;
  HealthStatus overall;
  do {
    grpc::health::v1::HealthCheckRequest request;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    status = stub->Check(&context, request, &overall);
    if (status.ok() && overall.status() == HealthStatus::SERVING) break;
    if (std::chrono::steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  } while (true);
  if (!status.ok()) return auris::client::ReportRpcError(global, "health", status);
  nlohmann::json report = nlohmann::json::object();
  for (const char* service : kServices) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    HealthStatus response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    grpc::Status s = stub->Check(&context, request, &response);
    const std::string name = *service ? service : "(server)";
    const std::string value = s.ok() ? HealthStatus::ServingStatus_Name(response.status())
                                     : auris::client::StatusCodeName(s.error_code());
    report[name] = value;
    if (!global.json) std::cout << name << ": " << value << "\n";
  }
  if (global.json) std::cout << report.dump() << "\n";
  return overall.status() == HealthStatus::SERVING ? 0 : 1;
}

int RunModels(const GlobalOptions& global, const std::string& task) {
  auto stub = auris::v1::Models::NewStub(auris::client::MakeChannel(global));
  auris::v1::ListModelsRequest request;
  request.set_task(task);
  auris::v1::ListModelsResponse response;
  grpc::ClientContext context;
  auris::client::SetDeadline(global, &context);
  grpc::Status status = stub->ListModels(&context, request, &response);
  if (!status.ok()) return auris::client::ReportRpcError(global, "models", status);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : response.models()) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [k, v] : m.metrics()) metrics[k] = v;
    list.push_back({{"name", m.name()},
                    {"task", m.task()},
                    {"version", m.version()},
                    {"sample_rate_hertz", m.sample_rate_hertz()},
                    {"streaming", m.streaming()},
                    {"parameter_count", m.parameter_count()},
                    {"is_default", m.is_default()},
                    {"metrics", metrics},
                    {"description", m.description()}});
    if (!global.json) {
      std::cout << m.task() << "\t" << m.name() << (m.is_default() ? " (default)" : "") << "\t"
                << m.version() << "\t" << (m.streaming() ? "streaming" : "unary-only") << "\n  "
                << m.description() << "\n";
    }
  }
  if (global.json) std::cout << list.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  GlobalOptions global;
  CLI::App app{"auris: command-line client for auris-server"};
  app.add_option("--server", global.server, "HOST:PORT of auris-server")->capture_default_str();
  app.add_flag("--json", global.json, "Machine-readable output");
  app.add_option("--timeout", global.timeout_seconds, "Seconds per call")->capture_default_str();
  app.require_subcommand(1);

  double wait_seconds = 0;
  CLI::App* health = app.add_subcommand("health", "Show grpc.health.v1 status of each service");
  health->add_option("--wait", wait_seconds, "Poll up to this many seconds for SERVING");

  std::string task;
  CLI::App* models = app.add_subcommand("models", "List loaded models");
  models->add_option("--task", task, "asr, emotion or denoise (default: all)");

  auris::client::DenoiseOptions denoise;
  CLI::App* dn = app.add_subcommand("denoise", "Denoise files or folders (WAV/FLAC/OGG)");
  dn->add_option("IN", denoise.inputs, "Input files or folders")->required();
  dn->add_option("-o,--output", denoise.output,
                 "Output file (its extension picks the format) or folder")
      ->required();
  dn->add_option("--model", denoise.model, "Model name (default: the server's)");
  dn->add_flag("--streaming", denoise.streaming, "Use StreamingDenoise (WAV input)");
  dn->add_option("--chunk_ms", denoise.chunk_ms, "Streaming chunk length")->capture_default_str();
  dn->add_option("--reference", denoise.reference,
                 "Clean reference file: print SNR and SI-SDR before and after");

  auris::client::TranscribeOptions transcribe;
  float lm_weight = 0.0f;
  float word_bonus = 0.0f;
  CLI::App* tr = app.add_subcommand(
      "transcribe", "Transcribe files or folders: prints path<TAB>transcript per file");
  tr->add_option("IN", transcribe.inputs, "Input files or folders")->required();
  tr->add_option("-o,--output", transcribe.output, "Write the lines to this file (a TSV)");
  tr->add_option("--model", transcribe.model, "Model name (default: the server's)");
  tr->add_flag("--streaming", transcribe.streaming, "Use StreamingRecognize");
  tr->add_flag("--interim", transcribe.interim, "Streaming: print interim results to stderr");
  tr->add_option("--chunk_ms", transcribe.chunk_ms, "Streaming chunk length")
      ->capture_default_str();
  tr->add_option("--max_alternatives", transcribe.max_alternatives, "1..10")->capture_default_str();
  tr->add_flag("--words", transcribe.words, "Word times and confidences (shown with --json)");
  tr->add_option("--beam", transcribe.beam_size, "Beam width: 0 = model default, 1 = greedy")
      ->capture_default_str();
  CLI::Option* lm_option =
      tr->add_option("--lm_weight", lm_weight, "LM weight (default: the model's)");
  CLI::Option* bonus_option =
      tr->add_option("--word_bonus", word_bonus, "Word insertion bonus (default: the model's)");
  tr->add_option("--phrase", transcribe.phrases, "Phrase to favour (repeatable)");
  tr->add_option("--boost", transcribe.boost, "Boost per phrase word, 0..20");
  tr->add_flag("--restrict", transcribe.restrict, "Only allow the --phrase phrases");
  auris::client::EmotionOptions emotion;
  CLI::App* em = app.add_subcommand(
      "emotion", "Arousal and valence of files or folders: the utterance summary per file");
  em->add_option("IN", emotion.inputs, "Input files or folders")->required();
  em->add_flag("--json", global.json, "One JSON object per file, with the per-frame track");
  em->add_option("--model", emotion.model, "Model name (default: the server's)");
  em->add_option("--frame_period_ms", emotion.frame_period_ms,
                 "Frame period of the --json track: 0 = the model's (40 ms), else a multiple")
      ->capture_default_str();

#ifdef AURIS_WITH_PORTAUDIO
  auris::client::MicOptions mic;
  CLI::App* mc = app.add_subcommand("mic", "Denoise the microphone live (StreamingDenoise)");
  mc->add_option("-o,--output", mic.output, "Where to write the denoised audio");
  mc->add_option("--seconds", mic.seconds, "Stop after this long (default: Ctrl-C)");
  mc->add_option("--device", mic.device, "PortAudio input device index (default: the default)");
  mc->add_option("--rate", mic.sample_rate_hz, "Capture rate")->capture_default_str();
  mc->add_option("--chunk_ms", mic.chunk_ms, "Chunk length")->capture_default_str();
  mc->add_option("--model", mic.model, "Model name (default: the server's)");
  mc->add_flag("--list_devices", mic.list_devices, "List input devices and exit");
#endif

  CLI11_PARSE(app, argc, argv);

  if (*health) return RunHealth(global, wait_seconds);
  if (*models) return RunModels(global, task);
  if (*dn) return auris::client::RunDenoise(global, denoise);
#ifdef AURIS_WITH_PORTAUDIO
  if (*mc) {
    if (mic.output.empty() && !mic.list_devices) {
      std::cerr << "error: mic needs -o OUT (or --list_devices)\n";
      return 2;
    }
    return auris::client::RunMic(global, mic);
  }
#endif
  if (*tr) {
    if (lm_option->count() > 0) transcribe.lm_weight = lm_weight;
    if (bonus_option->count() > 0) transcribe.word_insertion_bonus = word_bonus;
    return auris::client::RunTranscribe(global, transcribe);
  }
  if (*em) return auris::client::RunEmotion(global, emotion);
  return 2;
}
