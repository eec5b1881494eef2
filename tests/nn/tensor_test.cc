#include "nn/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "nn/workspace.h"

namespace auris::nn {
namespace {

using ::testing::HasSubstr;

bool Aligned(const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

TEST(TensorTest, ZeroFilledAlignedWithShape) {
  Tensor t({2, 3, 5});
  EXPECT_EQ(t.shape().rank(), 3);
  EXPECT_EQ(t.size(), 30);
  EXPECT_EQ(t.shape().ToString(), "(2, 3, 5)");
  EXPECT_TRUE(Aligned(t.data()));
  for (int64_t i = 0; i < t.size(); ++i) EXPECT_EQ(t[i], 0.0f);
}

TEST(TensorTest, CloneCopiesAndMoveTransfers) {
  Tensor t({4});
  t[2] = 7.0f;
  Tensor c = t.Clone();
  c[2] = 1.0f;
  EXPECT_EQ(t[2], 7.0f);
  Tensor m = std::move(t);
  EXPECT_EQ(m[2], 7.0f);
  EXPECT_EQ(m.view().shape, Shape({4}));
}

TEST(TensorTest, ReshapeKeepsElementCount) {
  Tensor t({2, 6});
  EXPECT_TRUE(t.Reshape({3, 4}).ok());
  EXPECT_EQ(t.shape(), Shape({3, 4}));
  const absl::Status bad = t.Reshape({5});
  EXPECT_THAT(std::string(bad.message()), HasSubstr("(3, 4)"));
}

TEST(TensorTest, CheckShapeNamesExpectedAndActual) {
  const absl::Status s = CheckShape({1, 2}, {1, 3}, "input");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "input: expected shape (1, 3), got (1, 2)");
  EXPECT_TRUE(CheckShape({4}, {4}, "x").ok());
  EXPECT_NE(Shape({4}), Shape({4, 1}));
}

TEST(WorkspaceTest, ViewsAreAlignedAndDisjoint) {
  Workspace ws;
  TensorView a = ws.Allocate({3});
  TensorView b = ws.AllocateZeros({5, 7});
  EXPECT_TRUE(Aligned(a.data));
  EXPECT_TRUE(Aligned(b.data));
  EXPECT_GE(b.data, a.data + 3);
  for (int64_t i = 0; i < b.size(); ++i) EXPECT_EQ(b.data[i], 0.0f);
}

TEST(WorkspaceTest, SteadyStateStepsAllocateNothing) {
  Workspace ws;
  for (int step = 0; step < 5; ++step) {
    ws.Reset();
    for (int i = 0; i < 10; ++i) ws.Allocate({1000 + i * 300});
    if (step == 1) {
      EXPECT_EQ(ws.capacity_floats(), ws.peak_floats());
    }
  }
  const int64_t after_warmup = ws.heap_allocations();
  for (int step = 0; step < 20; ++step) {
    ws.Reset();
    for (int i = 0; i < 10; ++i) ws.Allocate({1000 + i * 300});
  }
  EXPECT_EQ(ws.heap_allocations(), after_warmup);
}

TEST(WorkspaceTest, OverflowKeepsEarlierViewsValid) {
  Workspace ws(16);
  TensorView a = ws.Allocate({16});
  a.data[15] = 3.0f;
  TensorView b = ws.Allocate({100000});
  b.data[99999] = 1.0f;
  EXPECT_EQ(a.data[15], 3.0f);
}

}  // namespace
}  // namespace auris::nn
