#include "server/unary_call.h"

#include <chrono>

#include "absl/strings/str_format.h"
#include "server/logger.h"
#include "server/request_id.h"
#include "server/status_util.h"

namespace auris::server {

grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, ServerState* state,
                                   const std::string& method,
                                   std::function<absl::Status(double* audio_seconds)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const std::string request_id = RequestIdOf(context);
  context->AddInitialMetadata("x-request-id", request_id);
  const auto started = std::chrono::steady_clock::now();
  auto finish = [=](const absl::Status& status, double audio_seconds) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string code = StatusCodeName(status);
    state->metrics().RecordRequest(method, code, seconds, audio_seconds);
    Logger::Info("call done", {{"request_id", request_id},
                               {"method", method},
                               {"code", code},
                               {"error", std::string(status.message())},
                               {"seconds", absl::StrFormat("%.3f", seconds)},
                               {"audio_seconds", absl::StrFormat("%.3f", audio_seconds)}});
    reactor->Finish(ToGrpcStatus(status));
  };
  if (state->draining()) {
    finish(
        absl::UnavailableError("the server is draining (shutting down); retry on another replica"),
        0);
    return reactor;
  }
  state->UnaryStarted();
  state->Post([=, work = std::move(work)] {
    double audio_seconds = 0;
    absl::Status status = work(&audio_seconds);
    if (context->IsCancelled()) {
      status = absl::CancelledError("the call was cancelled (by the client or its deadline)");
    }
    finish(status, audio_seconds);
    state->UnaryFinished();
  });
  return reactor;
}

}  // namespace auris::server
