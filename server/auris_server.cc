#include "server/auris_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "models/model_registry.h"
#include "nn/backend.h"
#include "server/emotion_service.h"
#include "server/enhancement_service.h"
#include "server/logger.h"
#include "server/models_service.h"
#include "server/speech_service.h"

namespace auris::server {
namespace {

constexpr const char* kSpeech = "auris.v1.Speech";
constexpr const char* kEmotion = "auris.v1.Emotion";
constexpr const char* kEnhancement = "auris.v1.Enhancement";
constexpr const char* kModels = "auris.v1.Models";

void AddChannelArguments(const ServerConfig& c, grpc::ServerBuilder* builder) {
  builder->SetMaxReceiveMessageSize(c.max_message_bytes);
  builder->SetMaxSendMessageSize(c.max_message_bytes);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, c.keepalive_time_ms);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, c.keepalive_timeout_ms);
  builder->AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                              c.min_client_ping_interval_ms);
  builder->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  if (c.max_connection_age_ms > 0) {
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, c.max_connection_age_ms);
    builder->AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                                c.max_connection_age_grace_ms);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<AurisServer>> AurisServer::Start(ServerConfig config) {
  if (absl::Status s = config.Validate(); !s.ok()) return s;
  absl::StatusOr<nn::BackendKind> backend = nn::ParseBackend(config.backend);
  if (!backend.ok()) return backend.status();
  if (absl::Status s = nn::CheckBackendAvailable(*backend); !s.ok()) return s;
  absl::StatusOr<std::unique_ptr<models::ModelRegistry>> registry =
      models::ModelRegistry::Load(config.models_dir, *backend);
  if (!registry.ok()) return registry.status();
  if (*backend == nn::BackendKind::kCuda && config.max_batch_size > 1) {
    Logger::Info(
        "cuda backend: each stream of a batch takes its own network step on the device "
        "(states are not stacked on the device yet)",
        {{"max_batch_size", absl::StrCat(config.max_batch_size)}});
  }
  for (const models::SkippedModel& skipped : (*registry)->skipped()) {
    Logger::Error("model not loaded; serving without it", {{"model", skipped.name},
                                                           {"descriptor", skipped.descriptor},
                                                           {"error", skipped.status.ToString()}});
  }

  auto server = std::unique_ptr<AurisServer>(new AurisServer());
  server->state_ = std::make_unique<ServerState>(config, *std::move(registry));
  ServerState* state = server->state_.get();
  server->speech_ = std::make_unique<SpeechService>(state);
  server->emotion_ = std::make_unique<EmotionService>(state);
  server->enhancement_ = std::make_unique<EnhancementService>(state);
  server->models_ = std::make_unique<ModelsService>(state);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &server->port_);
  AddChannelArguments(config, &builder);
  builder.RegisterService(server->speech_.get());
  builder.RegisterService(server->emotion_.get());
  builder.RegisterService(server->enhancement_.get());
  builder.RegisterService(server->models_.get());
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", config.listen, " (address in use or not local?)"));
  }
  grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService();
  health->SetServingStatus("", false);
  for (const char* name : {kSpeech, kEmotion, kEnhancement, kModels}) {
    health->SetServingStatus(name, false);
  }
  const auto warm_start = std::chrono::steady_clock::now();
  if (absl::Status s = state->registry().WarmUp(); !s.ok()) return s;
  Logger::Info(
      "models warm",
      {{"models_dir", config.models_dir},
       {"seconds",
        absl::StrCat(std::chrono::duration<double>(std::chrono::steady_clock::now() - warm_start)
                         .count())}});
  health->SetServingStatus(kModels, true);
  health->SetServingStatus(kSpeech, state->registry().HasTask(models::kTaskAsr));
  health->SetServingStatus(kEmotion, state->registry().HasTask(models::kTaskEmotion));
  health->SetServingStatus(kEnhancement, state->registry().HasTask(models::kTaskDenoise));
  health->SetServingStatus("", true);
  return server;
}

void AurisServer::Drain() {
  if (drained_) return;
  drained_ = true;
  server_->GetHealthCheckService()->Shutdown();
  state_->StartDraining();
  const auto grace = std::chrono::duration<double>(state_->config().drain_grace_seconds);
  const auto start = std::chrono::steady_clock::now();
  Logger::Info("draining", {{"in_flight", absl::StrCat(state_->calls_in_flight())}});
  while (state_->calls_in_flight() > 0 && std::chrono::steady_clock::now() - start < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const int left = state_->calls_in_flight();
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_->Wait();
  state_->JoinWorkers();
  Logger::Info("drained", {{"cancelled_calls", absl::StrCat(left)}});
}

AurisServer::~AurisServer() {
  if (server_) Drain();
}

}  // namespace auris::server
