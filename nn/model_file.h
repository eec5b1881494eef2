// Model files (ARCHITECTURE §5): the safetensors layout — an 8-byte little-endian header
// length, a JSON header, then raw little-endian tensor data — with the `auris` JSON under
// __metadata__. F32 and F16 tensors are accepted; F16 is upcast to float32 at load.
// A ModelFile is a plain value; after loading it is immutable and safe to share.
#ifndef AURIS_NN_MODEL_FILE_H_
#define AURIS_NN_MODEL_FILE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nn/layers/layer.h"
#include "nn/model_metadata.h"

namespace auris::nn {

inline constexpr uint64_t kMaxModelHeaderBytes = 100ull << 20;

struct ModelFile {
  std::string name;                          // path or label used in messages
  TensorMap tensors;                         // by name, float32
  ModelMetadata metadata;                    // the parsed `auris` entry
  std::map<std::string, std::string> extra;  // other __metadata__ entries, verbatim
};

// Reads and validates the model file at `path`. NOT_FOUND when it cannot be read;
// INVALID_ARGUMENT naming the file, the tensor or field, and what is allowed otherwise.
absl::StatusOr<ModelFile> LoadModelFile(const std::string& path);

// Same, over the file's bytes in memory; `name` is used in messages.
absl::StatusOr<ModelFile> ParseModelFile(std::string_view bytes, std::string_view name);

// IEEE 754 binary16 -> binary32 (exact, including subnormals, infinities and NaN payloads).
float HalfToFloat(uint16_t h);

}  // namespace auris::nn

#endif  // AURIS_NN_MODEL_FILE_H_
