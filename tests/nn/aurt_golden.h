// Test-only: reads the b"AURT" tensor files that scripts/make_layer_golden.py and
// scripts/make_network_golden.py write under tests/nn/golden/ (count, then per tensor: name,
// rank, int64 dims, float32 data; little-endian). A malformed file is a test failure.
#ifndef AURIS_TESTS_NN_AURT_GOLDEN_H_
#define AURIS_TESTS_NN_AURT_GOLDEN_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "nn/layers/layer.h"

namespace auris::nn::testing {

inline std::string NnGolden(const std::string& name) {
  return std::string(AURIS_SOURCE_DIR) + "/tests/nn/golden/" + name;
}

inline TensorMap ReadAurt(const std::string& name) {
  std::ifstream f(NnGolden(name), std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                                std::istreambuf_iterator<char>());
  TensorMap out;
  if (bytes.size() < 8 || std::string(bytes.data(), 4) != "AURT") {
    ADD_FAILURE() << "bad golden file " << name;
    return out;
  }
  std::size_t pos = 4;
  auto read = [&](void* dst, std::size_t n) {
    std::memcpy(dst, bytes.data() + pos, n);
    pos += n;
  };
  uint32_t count = 0;
  read(&count, 4);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    read(&len, 4);
    std::string key(bytes.data() + pos, len);
    pos += len;
    uint32_t rank = 0;
    read(&rank, 4);
    int64_t d[4] = {1, 1, 1, 1};
    read(d, 8 * rank);
    const Shape shape = rank == 1   ? Shape{d[0]}
                        : rank == 2 ? Shape{d[0], d[1]}
                        : rank == 3 ? Shape{d[0], d[1], d[2]}
                                    : Shape{d[0], d[1], d[2], d[3]};
    Tensor t(shape);
    read(t.data(), sizeof(float) * t.size());
    out.emplace(key, std::move(t));
  }
  return out;
}

}  // namespace auris::nn::testing

#endif  // AURIS_TESTS_NN_AURT_GOLDEN_H_
