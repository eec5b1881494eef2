// Test-only helpers for the neural pipeline tests: the golden files of
// scripts/make_pipeline_golden.py and model files with an edited front end.
#ifndef AURIS_TESTS_MODELS_PIPELINE_TEST_UTIL_H_
#define AURIS_TESTS_MODELS_PIPELINE_TEST_UTIL_H_

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "models/model_info.h"
#include "nn/model_file.h"
#include "nn/network.h"

namespace auris::testing {

// models/<relative> of the source tree, e.g. "asr/asr.safetensors".
inline std::string ShippedModel(const std::string& relative) {
  return std::string(AURIS_SOURCE_DIR) + "/models/" + relative;
}

// The ModelInfo a descriptor gives before the model file completes it.
inline models::ModelInfo NamedModel(const std::string& name, const std::string& task) {
  models::ModelInfo info;
  info.name = name;
  info.task = task;
  return info;
}

inline std::string PipelineGolden(const std::string& name) {
  return std::string(AURIS_SOURCE_DIR) + "/tests/models/golden/" + name;
}

// A raw little-endian float32 file of tests/models/golden/ (empty if missing).
inline std::vector<float> ReadPipelineFloats(const std::string& name) {
  std::ifstream in(PipelineGolden(name), std::ios::binary | std::ios::ate);
  const std::streamsize bytes = in.tellg();
  std::vector<float> v(bytes > 0 ? bytes / sizeof(float) : 0);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

// The golden model `file` with its front end replaced by `front_end_json` (type included).
inline absl::StatusOr<std::unique_ptr<nn::Network>> NetworkWithFrontEnd(
    const std::string& file, const std::string& type, const std::string& front_end_json) {
  absl::StatusOr<nn::ModelFile> model = nn::LoadModelFile(PipelineGolden(file));
  if (!model.ok()) return model.status();
  model->metadata.front_end_type = type;
  model->metadata.front_end_json = front_end_json;
  return nn::Network::FromModelFile(*std::move(model));
}

}  // namespace auris::testing

#endif  // AURIS_TESTS_MODELS_PIPELINE_TEST_UTIL_H_
