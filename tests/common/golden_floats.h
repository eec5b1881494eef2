// Test-only: reads a raw little-endian float32 golden file under tests/dsp/golden/ (empty if
// the file is missing).
#ifndef AURIS_TESTS_COMMON_GOLDEN_FLOATS_H_
#define AURIS_TESTS_COMMON_GOLDEN_FLOATS_H_

#include <fstream>
#include <string>
#include <vector>

namespace auris::testing {

inline std::vector<float> ReadDspGolden(const std::string& name) {
  std::ifstream in(std::string(AURIS_SOURCE_DIR) + "/tests/dsp/golden/" + name, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamsize bytes = in.tellg();
  in.seekg(0);
  std::vector<float> v(bytes > 0 ? bytes / sizeof(float) : 0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_COMMON_GOLDEN_FLOATS_H_
