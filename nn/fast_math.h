// Fast element-wise sigmoid / tanh and the fused LSTM / GRU cell updates of the CPU kernels.
// AVX2+FMA code (8 floats per step, masked tails) chosen once at run time when the CPU has
// both; otherwise a portable scalar version of the same approximation (results differ
// between the two by rounding only, well inside the bounds below).
//
// Approximation: exp(x) by range reduction x = n ln2 + r, |r| <= ln2/2, and the degree-5
// Cephes polynomial for exp(r); sigmoid(x) = 1 / (1 + exp(-x)); tanh(x) is x + x^3 P(x^2)
// (Cephes tanhf) for |x| < 0.625 and sign(x) (1 - 2 / (exp(2|x|) + 1)) otherwise.
// Max abs error against double-precision math, measured over every float in [-20, 20]
// (beyond that both saturate): sigmoid 8.9e-8 (max relative error 1.5e-7), tanh 7.9e-8;
// documented bounds 1e-7 abs for both (kFast*MaxAbsError, asserted on a dense grid by
// tests/nn/fast_math_test.cc). The AVX2 and scalar kernels differ by at most 1.2e-7 (one
// float ulp near 1). Saturation is exact: tanh(x) = +-1 for |x| >= 9.1 and +-inf,
// sigmoid(x) = 1 for x >= 17.4 and +inf, sigmoid(x) = 0 for x <= -88 and -inf; outputs
// stay in [-1, 1] and [0, 1]; tanh is exactly odd. NaN in gives NaN out. The fused cell
// updates use the same functions, so h and c differ from exact math by a few 1e-7 a step.
// All functions are stateless and thread-safe; arrays are caller-owned float32.
#ifndef AURIS_NN_FAST_MATH_H_
#define AURIS_NN_FAST_MATH_H_

#include <cstdint>

namespace auris::nn {

// Documented bounds (max abs error vs exact math) that tests assert.
inline constexpr float kFastSigmoidMaxAbsError = 1e-7f;
inline constexpr float kFastTanhMaxAbsError = 1e-7f;
// Relative error of sigmoid for x >= -87 (where the result is a normal float).
inline constexpr float kFastSigmoidMaxRelError = 2e-7f;

// y[i] = sigmoid(x[i]) / tanh(x[i]) for i in [0, n). y may equal x (in place); otherwise
// the arrays must not overlap. n may be 0.
void FastSigmoid(const float* x, float* y, int64_t n);
void FastTanh(const float* x, float* y, int64_t n);

// One LSTM step for one stream (torch gate order i, f, g, o): gates (4H) pre-activations;
// c = sigmoid(f) c + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c); h and c (H) in place.
void LstmCellUpdate(const float* gates, int64_t hidden, float* h, float* c);

// One GRU step for one stream (torch gate order r, z, n): gi = W_i x + b_i and
// gh = W_h h + b_h, each (3H); r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z),
// n = tanh(gi_n + r gh_n), h = (1 - z) n + z h; h (H) in place.
void GruCellUpdate(const float* gi, const float* gh, int64_t hidden, float* h);

// The same two cell updates with exact std:: math (the reference kernels' versions, and the
// baseline the benchmarks compare fast math with).
void LstmCellUpdateExact(const float* gates, int64_t hidden, float* h, float* c);
void GruCellUpdateExact(const float* gi, const float* gh, int64_t hidden, float* h);

// The implementations behind the functions above, for tests and benchmarks.
struct FastMathKernels {
  const char* name;  // "scalar" or "avx2_fma"
  void (*sigmoid)(const float* x, float* y, int64_t n);
  void (*tanh)(const float* x, float* y, int64_t n);
  void (*lstm_cell)(const float* gates, int64_t hidden, float* h, float* c);
  void (*gru_cell)(const float* gi, const float* gh, int64_t hidden, float* h);
};
// The portable scalar kernels (always available).
const FastMathKernels& ScalarFastMathKernels();
// The AVX2+FMA kernels, or nullptr when the CPU (or the compiler) lacks them.
const FastMathKernels* Avx2FastMathKernels();
// The kernels the functions above use, chosen on first call.
const FastMathKernels& ActiveFastMathKernels();

}  // namespace auris::nn

#endif  // AURIS_NN_FAST_MATH_H_
