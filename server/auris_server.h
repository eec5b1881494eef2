// One running auris-server: loads the models, serves every auris.v1 service plus
// grpc.health.v1 and reflection, and drains on request. Thread-safe.
#ifndef AURIS_SERVER_AURIS_SERVER_H_
#define AURIS_SERVER_AURIS_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/status/statusor.h"
#include "server/server_config.h"
#include "server/server_state.h"

namespace auris::server {

class EmotionService;
class EnhancementService;
class ModelsService;
class SpeechService;

class AurisServer {
 public:
  // Validates `config`, loads and warms the models, and starts listening. Health of each
  // service becomes SERVING once its default model is warm; "" once all are.
  static absl::StatusOr<std::unique_ptr<AurisServer>> Start(ServerConfig config);
  ~AurisServer();

  int port() const { return port_; }
  ServerState& state() { return *state_; }
  // Health NOT_SERVING, new calls UNAVAILABLE, in-flight calls get drain_grace_seconds,
  // then the rest are cancelled. Returns when the server has stopped.
  void Drain();

 private:
  AurisServer() = default;
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<SpeechService> speech_;
  std::unique_ptr<EmotionService> emotion_;
  std::unique_ptr<EnhancementService> enhancement_;
  std::unique_ptr<ModelsService> models_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool drained_ = false;
};

}  // namespace auris::server

#endif  // AURIS_SERVER_AURIS_SERVER_H_
