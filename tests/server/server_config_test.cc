#include "server/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace auris::server {
namespace {

using ::testing::HasSubstr;

TEST(ServerConfigTest, DefaultsAreValid) {
  const ServerConfig config;
  EXPECT_TRUE(config.Validate().ok());
  EXPECT_EQ(config.listen, "127.0.0.1:50051");
  EXPECT_THAT(config.ToString(), HasSubstr("max_concurrent_streams=256"));
  EXPECT_EQ(config.max_batch_size, 1) << "batching is opt-in";
  EXPECT_THAT(config.ToString(), HasSubstr("max_batch_size=1 max_batch_wait_ms=5"));
}

TEST(ServerConfigTest, EachBadFieldIsNamed) {
  struct Case {
    void (*mutate)(ServerConfig*);
    const char* field;
  };
  const Case cases[] = {
      {[](ServerConfig* c) { c->listen = "localhost"; }, "listen"},
      {[](ServerConfig* c) { c->listen = "127.0.0.1:70000"; }, "listen"},
      {[](ServerConfig* c) { c->metrics_port = -1; }, "metrics_port"},
      {[](ServerConfig* c) { c->backend = "tpu"; }, "backend"},
      {[](ServerConfig* c) { c->max_batch_size = 0; }, "max_batch_size"},
      {[](ServerConfig* c) { c->max_batch_size = 5000; }, "max_batch_size"},
      {[](ServerConfig* c) { c->max_batch_wait_ms = -1; }, "max_batch_wait_ms"},
      {[](ServerConfig* c) { c->max_message_bytes = 10; }, "max_message_bytes"},
      {[](ServerConfig* c) { c->max_unary_audio_seconds = 0; }, "max_unary_audio_seconds"},
      {[](ServerConfig* c) { c->max_stream_seconds = -5; }, "max_stream_seconds"},
      {[](ServerConfig* c) { c->max_concurrent_streams = 0; }, "max_concurrent_streams"},
      {[](ServerConfig* c) { c->stream_idle_timeout_seconds = 0; }, "stream_idle_timeout"},
      {[](ServerConfig* c) { c->drain_grace_seconds = -1; }, "drain_grace_seconds"},
      {[](ServerConfig* c) { c->log_format = "xml"; }, "log_format"},
  };
  for (const Case& c : cases) {
    ServerConfig config;
    c.mutate(&config);
    const absl::Status status = config.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.field));
    EXPECT_THAT(std::string(status.message()), HasSubstr("allowed"));
  }
}

}  // namespace
}  // namespace auris::server
