// Test fixture base: one real auris-server per test suite, started with Derived::ServerFlags()
// and polled until SERVING; the suite's tests share `server_` (GoogleTest runs them on one
// thread). Derived: `class FooTest : public testing::ServerSuite<FooTest>`.
#ifndef AURIS_TESTS_SERVER_SERVER_SUITE_H_
#define AURIS_TESTS_SERVER_SERVER_SUITE_H_

#include <gtest/gtest.h>

#include "tests/server/server_process.h"

namespace auris::testing {

template <typename Derived>
class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess(Derived::ServerFlags());
    ASSERT_TRUE(server_->started()) << server_->Log();
    server_->WaitServing();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static inline ServerProcess* server_ = nullptr;
};

}  // namespace auris::testing

#endif  // AURIS_TESTS_SERVER_SERVER_SUITE_H_
