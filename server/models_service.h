// auris.v1.Models: lists the loaded models. Thread-safe.
#ifndef AURIS_SERVER_MODELS_SERVICE_H_
#define AURIS_SERVER_MODELS_SERVICE_H_

#include "auris/v1/models.grpc.pb.h"
#include "server/server_state.h"

namespace auris::server {

class ModelsService final : public v1::Models::CallbackService {
 public:
  explicit ModelsService(ServerState* state) : state_(state) {}

  grpc::ServerUnaryReactor* ListModels(grpc::CallbackServerContext* context,
                                       const v1::ListModelsRequest* request,
                                       v1::ListModelsResponse* response) override;

 private:
  ServerState* const state_;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_MODELS_SERVICE_H_
