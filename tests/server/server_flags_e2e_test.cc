// End-to-end: flags, config files, bad start-up settings and the metrics endpoint of the real
// auris-server binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "auris/v1/enhancement.grpc.pb.h"
#include "tests/server/http_test_util.h"
#include "tests/server/server_process.h"

namespace auris {
namespace {

using ::testing::HasSubstr;
using HealthStatus = grpc::health::v1::HealthCheckResponse;

using testing::FreePort;
using testing::HttpGet;

grpc::Status DenoiseSeconds(const testing::ServerProcess& server, double seconds) {
  auto stub = v1::Enhancement::NewStub(server.Channel());
  v1::DenoiseRequest request;
  request.mutable_config()->mutable_format()->set_encoding(v1::MULAW);
  request.mutable_config()->mutable_format()->set_sample_rate_hertz(8000);
  request.set_audio_content(std::string(static_cast<size_t>(8000 * seconds), '\x55'));
  v1::DenoiseResponse response;
  grpc::ClientContext context;
  return stub->Denoise(&context, request, &response);
}

TEST(ServerFlagsTest, ConfigFileSetsLimits) {
  const std::string path = "/tmp/auris_flags_test_" + std::to_string(getpid()) + ".ini";
  std::ofstream(path) << "max_unary_audio_seconds = 1.5\nlog_format = text\n";
  testing::ServerProcess server({"--config", path});
  ASSERT_TRUE(server.started()) << server.Log();
  ASSERT_TRUE(server.WaitServing());
  EXPECT_TRUE(DenoiseSeconds(server, 1.0).ok());
  const grpc::Status s = DenoiseSeconds(server, 2.0);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(s.error_message(), HasSubstr("at most 1.5 s"));
  std::remove(path.c_str());
}

TEST(ServerFlagsTest, BadSettingsStopStartUpWithAClearMessage) {
  testing::ServerProcess bad_limit({"--max_concurrent_streams", "0"});
  EXPECT_FALSE(bad_limit.started());
  EXPECT_THAT(bad_limit.Log(), HasSubstr("max_concurrent_streams"));
  testing::ServerProcess bad_dir({"--models_dir", "/nonexistent/models"});
  EXPECT_FALSE(bad_dir.started());
  EXPECT_THAT(bad_dir.Log(), HasSubstr("/nonexistent/models does not exist"));
  testing::ServerProcess cuda({"--backend", "cuda"});
  EXPECT_FALSE(cuda.started());
  EXPECT_THAT(cuda.Log(), HasSubstr("cuda backend"));  // not built, or built without a device
  EXPECT_THAT(cuda.Log(), HasSubstr("use --backend cpu"));
}

TEST(ServerFlagsTest, MetricsEndpointCountsCalls) {
  const int port = FreePort();
  testing::ServerProcess server({"--metrics_port", std::to_string(port)});
  ASSERT_TRUE(server.started()) << server.Log();
  ASSERT_TRUE(server.WaitServing());
  ASSERT_TRUE(DenoiseSeconds(server, 0.5).ok());
  EXPECT_EQ(DenoiseSeconds(server, 0).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::string metrics;
  for (int i = 0; i < 50 && metrics.find("INVALID_ARGUMENT") == std::string::npos; ++i) {
    metrics = HttpGet(port, "/metrics");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(metrics, HasSubstr("200 OK"));
  EXPECT_THAT(metrics, HasSubstr("auris_requests_total{method=\"Denoise\",code=\"OK\"} 1"));
  EXPECT_THAT(metrics,
              HasSubstr("auris_requests_total{method=\"Denoise\",code=\"INVALID_ARGUMENT\"} 1"));
  EXPECT_THAT(metrics, HasSubstr("auris_audio_seconds_total{method=\"Denoise\"} 0.500"));
  EXPECT_THAT(metrics, HasSubstr("auris_active_streams 0"));
  EXPECT_THAT(HttpGet(port, "/healthz"), HasSubstr("serving"));
  EXPECT_THAT(HttpGet(port, "/nope"), HasSubstr("404"));
  EXPECT_EQ(server.Terminate(std::chrono::seconds(20)), 0);
}

}  // namespace
}  // namespace auris
