// Test-only helpers for the tiny ASR fixture in tests/models/golden/ (written by
// scripts/make_asr_pipeline_golden.py).
#ifndef AURIS_TESTS_MODELS_ASR_TEST_UTIL_H_
#define AURIS_TESTS_MODELS_ASR_TEST_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/asr/asr_pipeline.h"

namespace auris::testing {

inline std::string AsrGolden(const std::string& name) {
  return std::string(AURIS_SOURCE_DIR) + "/tests/models/golden/" + name;
}

inline std::vector<float> ReadAsrGoldenFloats(const std::string& name) {
  std::ifstream in(AsrGolden(name), std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamsize bytes = in.tellg();
  in.seekg(0);
  std::vector<float> v(bytes > 0 ? bytes / sizeof(float) : 0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

// The script's waveform(): 3.2 s at 16 kHz, quiet noise with harmonic bursts at
// [0.3, 1.1) and [2.1, 2.9) s.
inline std::vector<float> AsrGoldenWaveform() {
  const int n = static_cast<int>(3.2 * 16000);
  std::vector<float> out(n);
  uint32_t state = 12345;
  for (int i = 0; i < n; ++i) {
    state = state * 1664525u + 1013904223u;
    const double u = (state >> 8) / 16777216.0 - 0.5;
    const double t = i / 16000.0;
    double v = u * 0.002;
    if ((t >= 0.3 && t < 1.1) || (t >= 2.1 && t < 2.9)) {
      const double f0 = 120.0 + 30.0 * static_cast<int>(4.0 * t);
      double harmonics = 0.0;
      for (int h = 1; h <= 6; ++h) harmonics += std::sin(2.0 * M_PI * h * f0 * t) / h;
      v += 0.3 * harmonics + u * 0.2;
    }
    out[i] = static_cast<float>(v);
  }
  return out;
}

inline std::unique_ptr<models::AsrPipeline> LoadTinyAsr(bool with_lm = true) {
  models::ModelInfo info;
  info.name = "asr-tiny";
  info.task = models::kTaskAsr;
  absl::StatusOr<std::unique_ptr<models::AsrPipeline>> p = models::AsrPipeline::Load(
      info, AsrGolden("asr_tiny.safetensors"), with_lm ? AsrGolden("asr_tiny.arpa") : "");
  return p.ok() ? std::move(*p) : nullptr;
}

// Copies asr_tiny.safetensors to the temp folder as `name`.safetensors with its metadata's
// "decoder" object replaced by `decoder`; returns the copy's path.
inline std::string WriteTinyAsrWithDecoder(const nlohmann::json& decoder, const std::string& name) {
  std::ifstream in(AsrGolden("asr_tiny.safetensors"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  nlohmann::json header = nlohmann::json::parse(bytes.substr(8, header_size));
  nlohmann::json auris = nlohmann::json::parse(header["__metadata__"]["auris"].get<std::string>());
  auris["decoder"] = decoder;
  header["__metadata__"]["auris"] = auris.dump();
  const std::string text = header.dump();
  const uint64_t size = text.size();
  const std::string path =
      (std::filesystem::temp_directory_path() / (name + ".safetensors")).string();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&size), 8);
  out << text << bytes.substr(8 + header_size);
  return path;
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_MODELS_ASR_TEST_UTIL_H_
