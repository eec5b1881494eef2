#include "server/models_service.h"

#include <algorithm>

#include "models/model_registry.h"
#include "server/unary_call.h"

namespace auris::server {

grpc::ServerUnaryReactor* ModelsService::ListModels(grpc::CallbackServerContext* context,
                                                    const v1::ListModelsRequest* request,
                                                    v1::ListModelsResponse* response) {
  ServerState* state = state_;
  return RunUnary(context, state_, "ListModels", [=](double*) {
    if (absl::Status s = models::ValidateTaskName(request->task()); !s.ok()) return s;
    std::vector<models::ModelInfo> infos = state->registry().List(request->task());
    std::sort(infos.begin(), infos.end(), [](const auto& a, const auto& b) {
      return std::tie(a.task, a.name) < std::tie(b.task, b.name);
    });
    for (const models::ModelInfo& info : infos) {
      v1::ModelInfo* m = response->add_models();
      m->set_name(info.name);
      m->set_task(info.task);
      m->set_version(info.version);
      m->set_sample_rate_hertz(info.sample_rate_hz);
      m->set_streaming(info.streaming);
      m->set_parameter_count(info.parameter_count);
      m->set_is_default(info.is_default);
      m->set_description(info.description);
      for (const auto& [key, value] : info.metrics) (*m->mutable_metrics())[key] = value;
    }
    return absl::OkStatus();
  });
}

}  // namespace auris::server
