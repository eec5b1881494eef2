// A streaming call for a task with no model loaded: answers FAILED_PRECONDITION at once and
// deletes itself when gRPC is done with it.
#ifndef AURIS_SERVER_NO_MODEL_REACTOR_H_
#define AURIS_SERVER_NO_MODEL_REACTOR_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "server/logger.h"
#include "server/request_id.h"
#include "server/server_state.h"
#include "server/status_util.h"

namespace auris::server {

template <typename Request, typename Response>
class NoModelReactor : public grpc::ServerBidiReactor<Request, Response> {
 public:
  NoModelReactor(grpc::CallbackServerContext* context, ServerState* state, std::string method,
                 absl::Status status)
      : state_(state), method_(std::move(method)), status_(std::move(status)) {
    request_id_ = RequestIdOf(context);
    context->AddInitialMetadata("x-request-id", request_id_);
    this->Finish(ToGrpcStatus(status_));
  }

 private:
  void OnDone() override {
    state_->metrics().RecordRequest(method_, StatusCodeName(status_), 0, 0);
    Logger::Info("stream done", {{"request_id", request_id_},
                                 {"method", method_},
                                 {"code", StatusCodeName(status_)},
                                 {"error", std::string(status_.message())}});
    delete this;
  }

  ServerState* const state_;
  const std::string method_;
  const absl::Status status_;
  std::string request_id_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_NO_MODEL_REACTOR_H_
