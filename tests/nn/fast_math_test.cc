// nn/fast_math.h: error bounds against double-precision math, saturation, NaN, tails and
// in-place use, for the scalar kernels and (when the CPU has them) the AVX2+FMA kernels.
#include "nn/fast_math.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <vector>

#include "nn/layers/activation.h"
#include "nn/workspace.h"

namespace auris::nn {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

double ExactSigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

std::vector<const FastMathKernels*> AllKernels() {
  std::vector<const FastMathKernels*> all = {&ScalarFastMathKernels()};
  if (Avx2FastMathKernels() != nullptr) all.push_back(Avx2FastMathKernels());
  return all;
}

// 2^23 + 1 evenly spaced points of [-20, 20] and every 2^-20 step of [-1, 1].
std::vector<float> DenseGrid() {
  std::vector<float> x;
  constexpr int64_t kSteps = int64_t{1} << 23;
  for (int64_t i = 0; i <= kSteps; ++i) x.push_back(-20.0f + 40.0f * i / kSteps);
  for (int64_t i = -(int64_t{1} << 20); i <= (int64_t{1} << 20); ++i) x.push_back(i * 0x1p-20f);
  return x;
}

TEST(FastMathTest, DispatchPicksAvx2WhenTheCpuHasIt) {
#if defined(__x86_64__) || defined(__i386__)
  const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  EXPECT_EQ(Avx2FastMathKernels() != nullptr, has);
  EXPECT_STREQ(ActiveFastMathKernels().name, has ? "avx2_fma" : "scalar");
#endif
  EXPECT_STREQ(ScalarFastMathKernels().name, "scalar");
}

TEST(FastMathTest, MaxAbsErrorOverDenseGridIsWithinTheDocumentedBound) {
  const std::vector<float> x = DenseGrid();
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> s(n), t(n);
  for (const FastMathKernels* k : AllKernels()) {
    k->sigmoid(x.data(), s.data(), n);
    k->tanh(x.data(), t.data(), n);
    double sig_err = 0.0, tanh_err = 0.0, sig_rel = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const double want_s = ExactSigmoid(x[i]);
      sig_err = std::max(sig_err, std::fabs(s[i] - want_s));
      sig_rel = std::max(sig_rel, std::fabs(s[i] - want_s) / want_s);
      tanh_err = std::max(tanh_err, std::fabs(t[i] - std::tanh(static_cast<double>(x[i]))));
      ASSERT_TRUE(s[i] >= 0.0f && s[i] <= 1.0f) << x[i];
      ASSERT_TRUE(t[i] >= -1.0f && t[i] <= 1.0f) << x[i];
    }
    std::printf("%s: sigmoid max abs %.3g (max rel %.3g), tanh max abs %.3g over %lld points\n",
                k->name, sig_err, sig_rel, tanh_err, static_cast<long long>(n));
    EXPECT_LE(sig_err, kFastSigmoidMaxAbsError) << k->name;
    EXPECT_LE(tanh_err, kFastTanhMaxAbsError) << k->name;
    EXPECT_LE(sig_rel, kFastSigmoidMaxRelError) << k->name;
    // Not a constant or identity: the error would be ~0.5 / ~1 then.
    EXPECT_GT(tanh_err, 0.0);
  }
}

TEST(FastMathTest, SigmoidRelativeErrorStaysSmallForVeryNegativeInputs) {
  for (const FastMathKernels* k : AllKernels()) {
    double rel = 0.0;
    for (float x = -87.0f; x < 0.0f; x += 0.0137f) {
      float y = 0.0f;
      k->sigmoid(&x, &y, 1);
      rel = std::max(rel, std::fabs(y - ExactSigmoid(x)) / ExactSigmoid(x));
    }
    EXPECT_LE(rel, kFastSigmoidMaxRelError) << k->name;
  }
}

TEST(FastMathTest, SaturatesExactlyAndPropagatesNan) {
  const std::vector<float> x = {9.1f,  -9.1f,  20.0f,   -20.0f, 17.4f,  -88.0f,       -88.5f,
                                100.f, -100.f, kInf,    -kInf,  1e30f,  -1e30f,       0.0f,
                                -0.0f, 0.625f, -0.625f, 87.5f,  -87.5f, std::nanf("")};
  const int64_t n = static_cast<int64_t>(x.size());
  for (const FastMathKernels* k : AllKernels()) {
    std::vector<float> s(n), t(n);
    k->sigmoid(x.data(), s.data(), n);
    k->tanh(x.data(), t.data(), n);
    SCOPED_TRACE(k->name);
    EXPECT_EQ(t[0], 1.0f);
    EXPECT_EQ(t[1], -1.0f);
    EXPECT_EQ(t[2], 1.0f);
    EXPECT_EQ(t[3], -1.0f);
    EXPECT_EQ(s[2], 1.0f);
    EXPECT_EQ(s[4], 1.0f);
    EXPECT_EQ(s[5], 0.0f);
    EXPECT_EQ(s[6], 0.0f);
    for (int i : {7, 9, 11}) {
      EXPECT_EQ(t[i], 1.0f) << x[i];
      EXPECT_EQ(t[i + 1], -1.0f) << x[i];
      EXPECT_EQ(s[i], 1.0f) << x[i];
      EXPECT_EQ(s[i + 1], 0.0f) << x[i];
    }
    EXPECT_EQ(t[13], 0.0f);
    EXPECT_EQ(t[14], 0.0f);
    EXPECT_EQ(s[13], 0.5f);
    EXPECT_EQ(s[14], 0.5f);
    EXPECT_NEAR(t[15], std::tanh(0.625), kFastTanhMaxAbsError);
    EXPECT_EQ(t[16], -t[15]);
    EXPECT_EQ(s[17], 1.0f);
    EXPECT_GT(s[18], 0.0f);
    EXPECT_LT(s[18], 1e-37f);
    EXPECT_TRUE(std::isnan(s[19]));
    EXPECT_TRUE(std::isnan(t[19]));
  }
}

TEST(FastMathTest, TanhIsExactlyOdd) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-12.0f, 12.0f);
  std::vector<float> x(1001);
  for (float& v : x) v = dist(rng);
  std::vector<float> neg(x.size());
  for (size_t i = 0; i < x.size(); ++i) neg[i] = -x[i];
  for (const FastMathKernels* k : AllKernels()) {
    std::vector<float> a(x.size()), b(x.size());
    k->tanh(x.data(), a.data(), static_cast<int64_t>(x.size()));
    k->tanh(neg.data(), b.data(), static_cast<int64_t>(x.size()));
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(a[i], -b[i]) << k->name << " " << x[i];
  }
}

// Every element of an array call equals a one-element call on it (vector body, masked
// tail and scalar all agree per value), the output past n is untouched, and y == x works.
TEST(FastMathTest, OddSizesTailsAndInPlace) {
  std::mt19937 rng(2);
  std::normal_distribution<float> dist(0.0f, 4.0f);
  constexpr float kSentinel = 123.0f;
  for (const FastMathKernels* k : AllKernels()) {
    for (const int64_t n : {0, 1, 7, 8, 9, 33}) {
      for (const auto fn : {k->sigmoid, k->tanh}) {
        std::vector<float> x(n + 8);
        for (float& v : x) v = dist(rng);
        std::vector<float> y(n + 8, kSentinel);
        fn(x.data(), y.data(), n);
        std::vector<float> in_place(x);
        fn(in_place.data(), in_place.data(), n);
        for (int64_t i = 0; i < n; ++i) {
          float one = 0.0f;
          fn(&x[i], &one, 1);
          ASSERT_EQ(y[i], one) << k->name << " n=" << n << " i=" << i;
          ASSERT_EQ(in_place[i], y[i]) << k->name << " n=" << n << " i=" << i;
        }
        for (int64_t i = n; i < n + 8; ++i) {
          ASSERT_EQ(y[i], kSentinel) << k->name << " n=" << n;
          ASSERT_EQ(in_place[i], x[i]) << k->name << " n=" << n;
        }
      }
    }
  }
}

TEST(FastMathTest, Avx2AgreesWithScalarFallbackWithinTheBound) {
  const FastMathKernels* avx2 = Avx2FastMathKernels();
  if (avx2 == nullptr) GTEST_SKIP() << "no AVX2+FMA on this CPU";
  const std::vector<float> x = DenseGrid();
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> a(n), b(n);
  float worst = 0.0f;
  for (const bool tanh : {false, true}) {
    (tanh ? avx2->tanh : avx2->sigmoid)(x.data(), a.data(), n);
    (tanh ? ScalarFastMathKernels().tanh : ScalarFastMathKernels().sigmoid)(x.data(), b.data(), n);
    for (int64_t i = 0; i < n; ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  }
  std::printf("avx2_fma vs scalar: max abs difference %.3g\n", worst);
  EXPECT_LE(worst, 2 * kFastTanhMaxAbsError);
}

// h, c of one LSTM step in double, torch gate order i, f, g, o.
void ExactLstmCell(const std::vector<float>& gates, int64_t hidden, std::vector<double>* h,
                   std::vector<double>* c) {
  for (int64_t j = 0; j < hidden; ++j) {
    const double i = ExactSigmoid(gates[j]), f = ExactSigmoid(gates[hidden + j]);
    const double g = std::tanh(static_cast<double>(gates[2 * hidden + j]));
    const double o = ExactSigmoid(gates[3 * hidden + j]);
    (*c)[j] = f * (*c)[j] + i * g;
    (*h)[j] = o * std::tanh((*c)[j]);
  }
}

TEST(FastMathTest, LstmCellMatchesExactMathAndLeavesTheRestAlone) {
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (const FastMathKernels* k : AllKernels()) {
    for (const int64_t hidden : {1, 7, 8, 9, 33}) {
      std::vector<float> h(hidden + 4, 7.0f), c(hidden + 4, 7.0f);
      std::vector<double> want_h(hidden), want_c(hidden);
      for (int64_t j = 0; j < hidden; ++j) want_c[j] = c[j] = dist(rng);
      for (int step = 0; step < 5; ++step) {
        std::vector<float> gates(4 * hidden);
        for (float& g : gates) g = dist(rng);
        k->lstm_cell(gates.data(), hidden, h.data(), c.data());
        ExactLstmCell(gates, hidden, &want_h, &want_c);
        for (int64_t j = 0; j < hidden; ++j) {
          ASSERT_NEAR(h[j], want_h[j], 2e-6) << k->name << " H=" << hidden << " j=" << j;
          ASSERT_NEAR(c[j], want_c[j], 2e-6 * (1.0 + std::fabs(want_c[j]))) << k->name;
        }
      }
      for (int64_t j = hidden; j < hidden + 4; ++j) {
        ASSERT_EQ(h[j], 7.0f);
        ASSERT_EQ(c[j], 7.0f);
      }
    }
  }
}

TEST(FastMathTest, GruCellMatchesExactMathAndLeavesTheRestAlone) {
  std::mt19937 rng(4);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  for (const FastMathKernels* k : AllKernels()) {
    for (const int64_t hidden : {1, 7, 8, 9, 33}) {
      std::vector<float> h(hidden + 4, 7.0f);
      std::vector<double> want(hidden);
      for (int64_t j = 0; j < hidden; ++j) want[j] = h[j] = std::tanh(dist(rng));
      for (int step = 0; step < 5; ++step) {
        std::vector<float> gi(3 * hidden), gh(3 * hidden);
        for (float& g : gi) g = dist(rng);
        for (float& g : gh) g = dist(rng);
        k->gru_cell(gi.data(), gh.data(), hidden, h.data());
        for (int64_t j = 0; j < hidden; ++j) {
          const double r = ExactSigmoid(static_cast<double>(gi[j]) + gh[j]);
          const double z = ExactSigmoid(static_cast<double>(gi[hidden + j]) + gh[hidden + j]);
          const double n = std::tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
          want[j] = (1.0 - z) * n + z * want[j];
          ASSERT_NEAR(h[j], want[j], 2e-6) << k->name << " H=" << hidden << " j=" << j;
        }
      }
      for (int64_t j = hidden; j < hidden + 4; ++j) ASSERT_EQ(h[j], 7.0f);
    }
  }
}

TEST(FastMathTest, ActivationLayerOptimizedUsesFastMathAndReferenceIsExact) {
  std::mt19937 rng(5);
  std::normal_distribution<float> dist(0.0f, 5.0f);
  Tensor x({2, 5, 13});
  for (int64_t i = 0; i < x.size(); ++i) x[i] = dist(rng);
  for (const auto kind : {Activation::Kind::kTanh, Activation::Kind::kSigmoid}) {
    Activation fast({.kind = kind});
    Activation ref({.kind = kind, .impl = KernelImpl::kReference});
    Workspace ws;
    absl::StatusOr<TensorView> a = fast.Forward(x.view(), nullptr, &ws);
    absl::StatusOr<TensorView> b = ref.Forward(x.view(), nullptr, &ws);
    ASSERT_TRUE(a.ok() && b.ok());
    std::vector<float> want(x.size());
    if (kind == Activation::Kind::kTanh) {
      FastTanh(x.data(), want.data(), x.size());
    } else {
      FastSigmoid(x.data(), want.data(), x.size());
    }
    for (int64_t i = 0; i < x.size(); ++i) {
      ASSERT_EQ(a->data[i], want[i]) << i;
      const float exact =
          kind == Activation::Kind::kTanh ? std::tanh(x[i]) : 1.0f / (1.0f + std::exp(-x[i]));
      ASSERT_EQ(b->data[i], exact) << i;
      ASSERT_NEAR(a->data[i], exact, 2 * kFastTanhMaxAbsError) << i;
    }
  }
}

}  // namespace
}  // namespace auris::nn
