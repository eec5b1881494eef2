// CpuNetworkRunner is Network::Forward behind the NetworkRunner interface: bit-identical
// outputs in any chunking, stacking equal to Network::StackInto, clear errors for foreign
// states, and no workspace allocation in steady state.
#include "nn/cpu_network_runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "tests/nn/network_test_util.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

// Feeds `x` in chunks of `chunk` frames through a fresh runner state.
Tensor RunnerChunked(const NetworkRunner& runner, const Tensor& x, int64_t chunk) {
  absl::StatusOr<std::unique_ptr<RunnerState>> state = runner.InitState(x.shape()[0]);
  EXPECT_TRUE(state.ok()) << state.status();
  Workspace ws;
  std::vector<Tensor> outs;
  for (int64_t t = 0; t < x.shape()[1]; t += chunk) {
    const Tensor part = testing::Slice(x, t, std::min(t + chunk, x.shape()[1]));
    ws.Reset();
    absl::StatusOr<TensorView> y = runner.Forward(part.view(), state->get(), &ws);
    EXPECT_TRUE(y.ok()) << y.status();
    if (!y.ok()) return Tensor();
    outs.push_back(Tensor::FromView(*y));
  }
  return testing::ConcatTime(outs);
}

bool BitIdentical(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

TEST(CpuNetworkRunnerTest, GivesExactlyTheNetworkOutputInAnyChunking) {
  for (const char* name : {"asr", "misc"}) {
    std::unique_ptr<Network> net = testing::LoadNet(name, KernelImpl::kOptimized);
    ASSERT_NE(net, nullptr);
    const CpuNetworkRunner runner(net.get());
    EXPECT_EQ(runner.backend(), BackendKind::kCpu);
    std::mt19937 rng(3);
    const int64_t frames = 12 * net->subsampling() + 5;
    const Tensor x = testing::Random({2, frames, net->input_channels()}, &rng);
    for (int64_t chunk : {int64_t{1}, int64_t{7}, frames}) {
      EXPECT_TRUE(
          BitIdentical(RunnerChunked(runner, x, chunk), testing::RunChunked(*net, x, chunk)))
          << name << " chunk " << chunk;
    }
  }
}

TEST(CpuNetworkRunnerTest, StacksLikeTheNetworkAndAllocatesNothingInSteadyState) {
  std::unique_ptr<Network> net = testing::LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  const CpuNetworkRunner runner(net.get());
  ASSERT_TRUE(runner.can_stack());
  const int64_t step = 4 * net->subsampling();
  std::mt19937 rng(5);
  const Tensor a = testing::Random({1, 3 * step, net->input_channels()}, &rng);
  const Tensor b = testing::Random({1, 3 * step, net->input_channels()}, &rng);
  const Tensor want_a = testing::RunChunked(*net, a, step);
  const Tensor want_b = testing::RunChunked(*net, b, step);

  auto sa = runner.InitState(1);
  auto sb = runner.InitState(1);
  auto batched = runner.InitState(2);
  ASSERT_TRUE(sa.ok() && sb.ok() && batched.ok());
  RunnerState* members[] = {sa->get(), sb->get()};
  Workspace ws;
  std::vector<Tensor> got_a, got_b;
  int64_t allocations_after_warm_up = -1;
  for (int64_t t = 0; t < 3 * step; t += step) {
    const Tensor pa = testing::Slice(a, t, t + step);
    const Tensor pb = testing::Slice(b, t, t + step);
    Tensor x({2, step, net->input_channels()});
    std::memcpy(x.data(), pa.data(), sizeof(float) * pa.size());
    std::memcpy(x.data() + pa.size(), pb.data(), sizeof(float) * pb.size());
    ASSERT_TRUE(runner.StackInto(members, batched->get()).ok());
    ws.Reset();
    absl::StatusOr<TensorView> y = runner.Forward(x.view(), batched->get(), &ws);
    ASSERT_TRUE(y.ok()) << y.status();
    ASSERT_TRUE(runner.Unstack(batched->get(), members).ok());
    const Tensor out = Tensor::FromView(*y);
    got_a.push_back(testing::Slice(out, 0, out.shape()[1], 0, 1));
    got_b.push_back(testing::Slice(out, 0, out.shape()[1], 1, 2));
    if (t == step) allocations_after_warm_up = ws.heap_allocations();
  }
  EXPECT_EQ(ws.heap_allocations(), allocations_after_warm_up);
  EXPECT_LE(testing::MaxAbsDiff(testing::ConcatTime(got_a).view(), want_a.view()), 1e-5f);
  EXPECT_LE(testing::MaxAbsDiff(testing::ConcatTime(got_b).view(), want_b.view()), 1e-5f);
}

TEST(CpuNetworkRunnerTest, RejectsStatesOfAnotherRunnerWithAClearMessage) {
  std::unique_ptr<Network> net = testing::LoadNet("asr", KernelImpl::kOptimized);
  ASSERT_NE(net, nullptr);
  const CpuNetworkRunner runner(net.get());
  const CpuNetworkRunner other(net.get());
  auto foreign = other.InitState(1);
  ASSERT_TRUE(foreign.ok());
  const Tensor x({1, 4, net->input_channels()});
  Workspace ws;
  absl::StatusOr<TensorView> y = runner.Forward(x.view(), foreign->get(), &ws);
  EXPECT_EQ(y.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(y.status().message(), HasSubstr("made by another runner"));
  y = runner.Forward(x.view(), nullptr, &ws);
  EXPECT_THAT(y.status().message(), HasSubstr("the state is null"));
  auto batched = runner.InitState(1);
  ASSERT_TRUE(batched.ok());
  RunnerState* members[] = {foreign->get()};
  EXPECT_THAT(runner.StackInto(members, batched->get()).message(),
              HasSubstr("StackInto: the state was made by another runner"));
  EXPECT_EQ(runner.InitState(0).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace auris::nn
