#include "clients/transcribe_command.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_join.h"
#include "auris/v1/speech.grpc.pb.h"
#include "dsp/audio_decoder.h"
#include "dsp/audio_encoder.h"

namespace auris::client {
namespace {

double Seconds(const google::protobuf::Duration& d) { return d.seconds() + d.nanos() * 1e-9; }

v1::RecognitionConfig MakeConfig(const TranscribeOptions& options) {
  v1::RecognitionConfig config;
  config.set_model(options.model);
  config.set_max_alternatives(options.max_alternatives);
  config.set_enable_word_time_offsets(options.words);
  config.set_enable_word_confidence(options.words);
  config.mutable_decoding()->set_beam_size(options.beam_size);
  if (options.lm_weight) config.mutable_decoding()->set_lm_weight(*options.lm_weight);
  if (options.word_insertion_bonus) {
    config.mutable_decoding()->set_word_insertion_bonus(*options.word_insertion_bonus);
  }
  if (!options.phrases.empty()) {
    v1::SpeechContext* c = config.add_speech_contexts();
    for (const std::string& p : options.phrases) c->add_phrases(p);
    c->set_boost(options.boost);
    c->set_restrict(options.restrict);
  }
  return config;
}

nlohmann::json ResultJson(const v1::SpeechRecognitionResult& r) {
  nlohmann::json alternatives = nlohmann::json::array();
  for (const auto& a : r.alternatives()) {
    nlohmann::json words = nlohmann::json::array();
    for (const auto& w : a.words()) {
      words.push_back({{"word", w.word()},
                       {"start", Seconds(w.start_offset())},
                       {"end", Seconds(w.end_offset())},
                       {"confidence", w.confidence()}});
    }
    alternatives.push_back(
        {{"transcript", a.transcript()}, {"confidence", a.confidence()}, {"words", words}});
  }
  return {{"alternatives", alternatives},
          {"is_final", r.is_final()},
          {"start", Seconds(r.result_start_offset())},
          {"end", Seconds(r.result_end_offset())}};
}

grpc::Status Unary(const GlobalOptions& global, const TranscribeOptions& options,
                   v1::Speech::Stub* stub, const std::string& bytes,
                   std::vector<v1::SpeechRecognitionResult>* results) {
  v1::RecognizeRequest request;
  *request.mutable_config() = MakeConfig(options);
  request.set_audio_content(bytes);
  v1::RecognizeResponse response;
  grpc::ClientContext context;
  SetDeadline(global, &context);
  grpc::Status status = stub->Recognize(&context, request, &response);
  for (const auto& r : response.results()) results->push_back(r);
  return status;
}

grpc::Status Streaming(const GlobalOptions& global, const TranscribeOptions& options,
                       v1::Speech::Stub* stub, const dsp::DecodedAudio& audio,
                       std::vector<v1::SpeechRecognitionResult>* results) {
  grpc::ClientContext context;
  SetDeadline(global, &context);
  auto call = stub->StreamingRecognize(&context);
  v1::StreamingRecognizeRequest request;
  v1::StreamingRecognitionConfig* config = request.mutable_streaming_config();
  *config->mutable_config() = MakeConfig(options);
  config->mutable_config()->mutable_format()->set_encoding(v1::LINEAR16);
  config->mutable_config()->mutable_format()->set_sample_rate_hertz(audio.sample_rate_hz);
  config->set_interim_results(options.interim);
  call->Write(request);
  absl::StatusOr<std::string> pcm =
      dsp::EncodeAudio(audio.samples, audio.sample_rate_hz, dsp::Encoding::kLinear16);
  if (!pcm.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, pcm.status().ToString());
  const size_t chunk =
      std::max<size_t>(2, static_cast<size_t>(audio.sample_rate_hz) * 2 * options.chunk_ms / 1000);
  std::thread writer([&]() {
    v1::StreamingRecognizeRequest audio_request;
    for (size_t pos = 0; pos < pcm->size(); pos += chunk) {
      audio_request.set_audio_content(pcm->substr(pos, chunk));
      if (!call->Write(audio_request)) break;
    }
    call->WritesDone();
  });
  v1::StreamingRecognizeResponse response;
  while (call->Read(&response)) {
    for (const auto& r : response.results()) {
      if (r.is_final()) {
        results->push_back(r);
      } else if (options.interim && r.alternatives_size() > 0) {
        std::cerr << "interim (stability " << r.stability()
                  << "): " << r.alternatives(0).transcript() << "\n";
      }
    }
  }
  writer.join();
  return call->Finish();
}

}  // namespace

int RunTranscribe(const GlobalOptions& global, const TranscribeOptions& options) {
  absl::StatusOr<std::vector<std::string>> inputs = ExpandInputs(options.inputs);
  if (!inputs.ok()) {
    std::cerr << "error: " << inputs.status().message() << "\n";
    return 2;
  }
  std::ofstream file;
  if (!options.output.empty()) {
    file.open(options.output);
    if (!file) {
      std::cerr << "error: cannot write " << options.output << "\n";
      return 2;
    }
  }
  std::ostream& out = options.output.empty() ? std::cout : file;
  auto stub = v1::Speech::NewStub(MakeChannel(global));
  const int failures = ForEachFile(*inputs, [&](const std::string& path, const std::string& bytes) {
    std::vector<v1::SpeechRecognitionResult> results;
    grpc::Status status;
    if (options.streaming) {
      absl::StatusOr<dsp::DecodedAudio> audio = dsp::DecodeAudio(bytes, {});
      if (!audio.ok()) {
        std::cerr << "error: " << path << ": " << audio.status().message() << "\n";
        return 1;
      }
      status = Streaming(global, options, stub.get(), *audio, &results);
    } else {
      status = Unary(global, options, stub.get(), bytes, &results);
    }
    if (!status.ok()) {
      return ReportRpcError(global, "transcribe " + path, status);
    }
    std::vector<std::string> texts;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : results) {
      if (r.alternatives_size() > 0 && !r.alternatives(0).transcript().empty()) {
        texts.push_back(r.alternatives(0).transcript());
      }
      list.push_back(ResultJson(r));
    }
    const std::string transcript = absl::StrJoin(texts, " ");
    if (global.json) {
      out << nlohmann::json{{"path", path}, {"transcript", transcript}, {"results", list}}.dump()
          << "\n";
    } else {
      out << path << "\t" << transcript << "\n";
    }
    out.flush();
    return 0;
  });
  return failures == 0 ? 0 : 1;
}

}  // namespace auris::client
