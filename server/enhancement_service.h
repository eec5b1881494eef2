// auris.v1.Enhancement: Denoise (unary, on a worker) and StreamingDenoise. Thread-safe.
#ifndef AURIS_SERVER_ENHANCEMENT_SERVICE_H_
#define AURIS_SERVER_ENHANCEMENT_SERVICE_H_

#include "auris/v1/enhancement.grpc.pb.h"
#include "server/server_state.h"

namespace auris::server {

class EnhancementService final : public v1::Enhancement::CallbackService {
 public:
  explicit EnhancementService(ServerState* state) : state_(state) {}

  grpc::ServerUnaryReactor* Denoise(grpc::CallbackServerContext* context,
                                    const v1::DenoiseRequest* request,
                                    v1::DenoiseResponse* response) override;
  grpc::ServerBidiReactor<v1::StreamingDenoiseRequest, v1::StreamingDenoiseResponse>*
  StreamingDenoise(grpc::CallbackServerContext* context) override;

 private:
  ServerState* const state_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_ENHANCEMENT_SERVICE_H_
