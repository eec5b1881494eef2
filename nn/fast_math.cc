#include "nn/fast_math.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define AURIS_FAST_MATH_X86 1
#include <immintrin.h>
#endif

namespace auris::nn {
namespace {

constexpr float kExpLo = -87.33f;  // keeps 2^n a normal float (n >= -126)
constexpr float kExpHi = 88.37f;   // keeps 2^n p(r) finite (n <= 127)
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
constexpr float kExpP0 = 1.9875691500e-4f;
constexpr float kExpP1 = 1.3981999507e-3f;
constexpr float kExpP2 = 8.3334519073e-3f;
constexpr float kExpP3 = 4.1665795894e-2f;
constexpr float kExpP4 = 1.6666665459e-1f;
constexpr float kExpP5 = 5.0000001201e-1f;
constexpr float kSigmoidZeroBelow = -88.0f;
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhP0 = -5.70498872745e-3f;
constexpr float kTanhP1 = 2.06390887954e-2f;
constexpr float kTanhP2 = -5.37397155531e-2f;
constexpr float kTanhP3 = 1.33314422036e-1f;
constexpr float kTanhP4 = -3.33332819422e-1f;

// cond ? a : b through bit masks, which the vectorizer accepts where it rejects a branch.
float Select(bool cond, float a, float b) {
  uint32_t ua, ub;
  std::memcpy(&ua, &a, sizeof(a));
  std::memcpy(&ub, &b, sizeof(b));
  const uint32_t mask = 0u - static_cast<uint32_t>(cond);
  const uint32_t bits = (ua & mask) | (ub & ~mask);
  float out;
  std::memcpy(&out, &bits, sizeof(out));
  return out;
}

// Scalar versions, branch-free so that the array loops vectorize (SSE2). n is read from the
// low bits of the rounded float (no float-to-int conversion, which is undefined for NaN);
// a NaN x gives a NaN polynomial and so a NaN result.
float ExpScalar(float x) {
  x = Select(x > kExpHi, kExpHi, x);
  x = Select(x < kExpLo, kExpLo, x);
  const float shifted = x * kLog2e + kRoundMagic;
  const float n = shifted - kRoundMagic;
  float r = x - n * kLn2Hi;
  r = r - n * kLn2Lo;
  float p = kExpP0;
  p = p * r + kExpP1;
  p = p * r + kExpP2;
  p = p * r + kExpP3;
  p = p * r + kExpP4;
  p = p * r + kExpP5;
  const float y = p * (r * r) + r + 1.0f;
  uint32_t shifted_bits, magic_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof(shifted));
  std::memcpy(&magic_bits, &kRoundMagic, sizeof(kRoundMagic));
  const uint32_t bits = (shifted_bits - magic_bits + 127u) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  return y * scale;
}

float SigmoidScalar(float x) {
  const float y = 1.0f / (1.0f + ExpScalar(-x));
  return Select(x <= kSigmoidZeroBelow, 0.0f, y);
}

float TanhScalar(float x) {
  uint32_t x_bits;
  std::memcpy(&x_bits, &x, sizeof(x));
  const uint32_t abs_bits = x_bits & 0x7fffffffu;
  float ax;
  std::memcpy(&ax, &abs_bits, sizeof(ax));
  const float z = x * x;
  float p = kTanhP0;
  p = p * z + kTanhP1;
  p = p * z + kTanhP2;
  p = p * z + kTanhP3;
  p = p * z + kTanhP4;
  const float small = (p * z) * x + x;
  const float big_abs = 1.0f - 2.0f / (ExpScalar(ax + ax) + 1.0f);
  uint32_t big_bits;
  std::memcpy(&big_bits, &big_abs, sizeof(big_abs));
  big_bits |= x_bits & 0x80000000u;
  float big;
  std::memcpy(&big, &big_bits, sizeof(big));
  return Select(ax < kTanhSmall, small, big);
}

void SigmoidArrayScalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = SigmoidScalar(x[i]);
}

void TanhArrayScalar(const float* x, float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = TanhScalar(x[i]);
}

// The cells run the (vectorizable) array functions on blocks of kBlock units.
constexpr int64_t kBlock = 64;

void LstmCellScalar(const float* gates, int64_t hidden, float* h, float* c) {
  float i[kBlock], f[kBlock], g[kBlock], o[kBlock];
  for (int64_t j0 = 0; j0 < hidden; j0 += kBlock) {
    const int64_t m = std::min(kBlock, hidden - j0);
    SigmoidArrayScalar(gates + j0, i, m);
    SigmoidArrayScalar(gates + hidden + j0, f, m);
    TanhArrayScalar(gates + 2 * hidden + j0, g, m);
    SigmoidArrayScalar(gates + 3 * hidden + j0, o, m);
    float* cb = c + j0;
    for (int64_t k = 0; k < m; ++k) cb[k] = f[k] * cb[k] + i[k] * g[k];
    TanhArrayScalar(cb, g, m);
    for (int64_t k = 0; k < m; ++k) h[j0 + k] = o[k] * g[k];
  }
}

void GruCellScalar(const float* gi, const float* gh, int64_t hidden, float* h) {
  float r[kBlock], z[kBlock], n[kBlock];
  for (int64_t j0 = 0; j0 < hidden; j0 += kBlock) {
    const int64_t m = std::min(kBlock, hidden - j0);
    const int64_t zj = hidden + j0, nj = 2 * hidden + j0;
    for (int64_t k = 0; k < m; ++k) r[k] = gi[j0 + k] + gh[j0 + k];
    for (int64_t k = 0; k < m; ++k) z[k] = gi[zj + k] + gh[zj + k];
    SigmoidArrayScalar(r, r, m);
    SigmoidArrayScalar(z, z, m);
    for (int64_t k = 0; k < m; ++k) n[k] = gi[nj + k] + r[k] * gh[nj + k];
    TanhArrayScalar(n, n, m);
    for (int64_t k = 0; k < m; ++k) h[j0 + k] = (1.0f - z[k]) * n[k] + z[k] * h[j0 + k];
  }
}

constexpr FastMathKernels kScalarKernels = {"scalar", &SigmoidArrayScalar, &TanhArrayScalar,
                                            &LstmCellScalar, &GruCellScalar};

#ifdef AURIS_FAST_MATH_X86
#define AURIS_AVX2 __attribute__((target("avx2,fma")))

// Lanes [0, rem) set, for the masked loads and stores of a tail of rem < 8 floats.
AURIS_AVX2 inline __m256i TailMask(int64_t rem) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rem)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// min/max take x second so that a NaN lane stays NaN; NaN then propagates through p.
AURIS_AVX2 inline __m256 Exp8(__m256 x) {
  x = _mm256_max_ps(_mm256_set1_ps(kExpLo), _mm256_min_ps(_mm256_set1_ps(kExpHi), x));
  const __m256 magic = _mm256_set1_ps(kRoundMagic);
  const __m256 n =
      _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(x, _mm256_set1_ps(kLog2e)), magic), magic);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
  __m256 p = _mm256_set1_ps(kExpP0);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP1));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP2));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP3));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP4));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(kExpP5));
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  const __m256i bits =
      _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(bits));
}

AURIS_AVX2 inline __m256 Sigmoid8(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = Exp8(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
  const __m256 y = _mm256_div_ps(one, _mm256_add_ps(one, e));
  const __m256 zero = _mm256_cmp_ps(x, _mm256_set1_ps(kSigmoidZeroBelow), _CMP_LE_OQ);
  return _mm256_andnot_ps(zero, y);
}

AURIS_AVX2 inline __m256 Tanh8(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = Exp8(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(one, _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, one)));
  big = _mm256_or_ps(big, _mm256_and_ps(sign, x));
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(kTanhP0);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP1));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP2));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP3));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(kTanhP4));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), x, x);
  const __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(kTanhSmall), _CMP_LT_OQ);
  return _mm256_blendv_ps(big, small, is_small);
}

AURIS_AVX2 void SigmoidArrayAvx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, Sigmoid8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = TailMask(n - i);
    _mm256_maskstore_ps(y + i, m, Sigmoid8(_mm256_maskload_ps(x + i, m)));
  }
}

AURIS_AVX2 void TanhArrayAvx2(const float* x, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, Tanh8(_mm256_loadu_ps(x + i)));
  if (i < n) {
    const __m256i m = TailMask(n - i);
    _mm256_maskstore_ps(y + i, m, Tanh8(_mm256_maskload_ps(x + i, m)));
  }
}

// Lanes outside `m` load as 0 and are not stored.
AURIS_AVX2 inline void LstmCell8(const float* gates, int64_t hidden, int64_t j, __m256i m, float* h,
                                 float* c) {
  const __m256 i = Sigmoid8(_mm256_maskload_ps(gates + j, m));
  const __m256 f = Sigmoid8(_mm256_maskload_ps(gates + hidden + j, m));
  const __m256 g = Tanh8(_mm256_maskload_ps(gates + 2 * hidden + j, m));
  const __m256 o = Sigmoid8(_mm256_maskload_ps(gates + 3 * hidden + j, m));
  const __m256 c_new = _mm256_fmadd_ps(f, _mm256_maskload_ps(c + j, m), _mm256_mul_ps(i, g));
  _mm256_maskstore_ps(c + j, m, c_new);
  _mm256_maskstore_ps(h + j, m, _mm256_mul_ps(o, Tanh8(c_new)));
}

AURIS_AVX2 void LstmCellAvx2(const float* gates, int64_t hidden, float* h, float* c) {
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t j = 0;
  for (; j + 8 <= hidden; j += 8) LstmCell8(gates, hidden, j, all, h, c);
  if (j < hidden) LstmCell8(gates, hidden, j, TailMask(hidden - j), h, c);
}

AURIS_AVX2 inline void GruCell8(const float* gi, const float* gh, int64_t hidden, int64_t j,
                                __m256i m, float* h) {
  const int64_t k = hidden + j;
  const int64_t l = 2 * hidden + j;
  const __m256 r =
      Sigmoid8(_mm256_add_ps(_mm256_maskload_ps(gi + j, m), _mm256_maskload_ps(gh + j, m)));
  const __m256 z =
      Sigmoid8(_mm256_add_ps(_mm256_maskload_ps(gi + k, m), _mm256_maskload_ps(gh + k, m)));
  const __m256 n =
      Tanh8(_mm256_fmadd_ps(r, _mm256_maskload_ps(gh + l, m), _mm256_maskload_ps(gi + l, m)));
  const __m256 keep = _mm256_mul_ps(_mm256_sub_ps(_mm256_set1_ps(1.0f), z), n);
  _mm256_maskstore_ps(h + j, m, _mm256_fmadd_ps(z, _mm256_maskload_ps(h + j, m), keep));
}

AURIS_AVX2 void GruCellAvx2(const float* gi, const float* gh, int64_t hidden, float* h) {
  const __m256i all = _mm256_set1_epi32(-1);
  int64_t j = 0;
  for (; j + 8 <= hidden; j += 8) GruCell8(gi, gh, hidden, j, all, h);
  if (j < hidden) GruCell8(gi, gh, hidden, j, TailMask(hidden - j), h);
}

constexpr FastMathKernels kAvx2Kernels = {"avx2_fma", &SigmoidArrayAvx2, &TanhArrayAvx2,
                                          &LstmCellAvx2, &GruCellAvx2};
#endif  // AURIS_FAST_MATH_X86

}  // namespace

const FastMathKernels& ScalarFastMathKernels() { return kScalarKernels; }

const FastMathKernels* Avx2FastMathKernels() {
#ifdef AURIS_FAST_MATH_X86
  static const bool supported = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return supported ? &kAvx2Kernels : nullptr;
#else
  return nullptr;
#endif
}

const FastMathKernels& ActiveFastMathKernels() {
  static const FastMathKernels* const active = [] {
    const FastMathKernels* avx2 = Avx2FastMathKernels();
    return avx2 != nullptr ? avx2 : &kScalarKernels;
  }();
  return *active;
}

void FastSigmoid(const float* x, float* y, int64_t n) { ActiveFastMathKernels().sigmoid(x, y, n); }

void FastTanh(const float* x, float* y, int64_t n) { ActiveFastMathKernels().tanh(x, y, n); }

void LstmCellUpdate(const float* gates, int64_t hidden, float* h, float* c) {
  ActiveFastMathKernels().lstm_cell(gates, hidden, h, c);
}

void GruCellUpdate(const float* gi, const float* gh, int64_t hidden, float* h) {
  ActiveFastMathKernels().gru_cell(gi, gh, hidden, h);
}

namespace {
float ExactSigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
}  // namespace

void LstmCellUpdateExact(const float* gates, int64_t hidden, float* h, float* c) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float i = ExactSigmoid(gates[j]);
    const float f = ExactSigmoid(gates[hidden + j]);
    const float g = std::tanh(gates[2 * hidden + j]);
    const float o = ExactSigmoid(gates[3 * hidden + j]);
    c[j] = f * c[j] + i * g;
    h[j] = o * std::tanh(c[j]);
  }
}

void GruCellUpdateExact(const float* gi, const float* gh, int64_t hidden, float* h) {
  for (int64_t j = 0; j < hidden; ++j) {
    const float r = ExactSigmoid(gi[j] + gh[j]);
    const float z = ExactSigmoid(gi[hidden + j] + gh[hidden + j]);
    const float n = std::tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
    h[j] = (1.0f - z) * n + z * h[j];
  }
}

}  // namespace auris::nn
