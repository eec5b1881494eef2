#include "clients/emotion_command.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_format.h"
#include "auris/v1/emotion.grpc.pb.h"

namespace auris::client {
namespace {

double Seconds(const google::protobuf::Duration& d) {
  return static_cast<double>(d.seconds()) + static_cast<double>(d.nanos()) * 1e-9;
}

// Floats are widened exactly to double, so the printed numbers round-trip to the response's.
nlohmann::json EmotionJson(const std::string& path, const v1::AnalyzeEmotionResponse& response) {
  nlohmann::json frames = nlohmann::json::array();
  for (const v1::EmotionFrame& f : response.frames()) {
    frames.push_back({{"start_seconds", Seconds(f.start_offset())},
                      {"end_seconds", Seconds(f.end_offset())},
                      {"arousal", static_cast<double>(f.arousal())},
                      {"valence", static_cast<double>(f.valence())}});
  }
  const v1::EmotionSummary& s = response.summary();
  return {{"path", path},
          {"summary",
           {{"arousal", static_cast<double>(s.arousal())},
            {"valence", static_cast<double>(s.valence())},
            {"speech_seconds", Seconds(s.speech_duration())}}},
          {"frames", frames}};
}

}  // namespace

int RunEmotion(const GlobalOptions& global, const EmotionOptions& options) {
  absl::StatusOr<std::vector<std::string>> inputs = ExpandInputs(options.inputs);
  if (!inputs.ok()) {
    std::cerr << "error: " << inputs.status().message() << "\n";
    return 2;
  }
  auto stub = v1::Emotion::NewStub(MakeChannel(global));
  const int failures = ForEachFile(*inputs, [&](const std::string& path, const std::string& bytes) {
    v1::AnalyzeEmotionRequest request;
    request.mutable_config()->set_model(options.model);
    request.mutable_config()->set_frame_period_ms(options.frame_period_ms);
    request.set_audio_content(bytes);
    v1::AnalyzeEmotionResponse response;
    grpc::ClientContext context;
    SetDeadline(global, &context);
    const grpc::Status status = stub->AnalyzeEmotion(&context, request, &response);
    if (!status.ok()) {
      return ReportRpcError(global, path, status);
    }
    if (global.json) {
      std::cout << EmotionJson(path, response).dump() << "\n";
    } else {
      const v1::EmotionSummary& s = response.summary();
      std::cout << absl::StrFormat("%s\tarousal %+.3f\tvalence %+.3f\tspeech %.2f s\n", path,
                                   s.arousal(), s.valence(), Seconds(s.speech_duration()));
    }
    return 0;
  });
  return failures == 0 ? 0 : 1;
}

}  // namespace auris::client
