#include "nn/model_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace auris::nn {
namespace {

using Json = nlohmann::json;

constexpr char kMetadataKey[] = "__metadata__";
constexpr char kAurisKey[] = "auris";

absl::Status Bad(std::string_view name, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("model file ", std::string(name), ": ", what));
}

absl::Status BadTensor(std::string_view name, const std::string& tensor, const std::string& what) {
  return Bad(name, absl::StrCat("tensor \"", tensor, "\": ", what));
}

uint64_t ReadLe64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

float ReadLeF32(const unsigned char* p) {
  const uint32_t bits = static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
                        (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

struct TensorEntry {
  std::string name;
  int dtype_bytes = 0;
  Shape shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

absl::StatusOr<Shape> ParseShape(const Json& j, std::string_view name, const std::string& t,
                                 uint64_t max_elements) {
  const std::string allowed = absl::StrCat("\"shape\" must be an array of at most ",
                                           Shape::kMaxRank, " non-negative integers");
  if (!j.is_array() || j.size() > static_cast<size_t>(Shape::kMaxRank)) {
    return BadTensor(name, t, allowed);
  }
  int64_t d[Shape::kMaxRank] = {1, 1, 1, 1};
  uint64_t numel = 1;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number_unsigned()) return BadTensor(name, t, allowed);
    const uint64_t dim = j[i].get<uint64_t>();
    if (dim > max_elements || (dim > 0 && numel > max_elements / dim)) {
      return BadTensor(name, t, "\"shape\" has more elements than the data section holds");
    }
    numel *= dim;
    d[i] = static_cast<int64_t>(dim);
  }
  switch (j.size()) {
    case 0:
      return Shape();
    case 1:
      return Shape({d[0]});
    case 2:
      return Shape({d[0], d[1]});
    case 3:
      return Shape({d[0], d[1], d[2]});
    default:
      return Shape({d[0], d[1], d[2], d[3]});
  }
}

absl::StatusOr<TensorEntry> ParseEntry(const std::string& t, const Json& j, std::string_view name,
                                       uint64_t data_bytes) {
  if (!j.is_object()) return BadTensor(name, t, "the entry must be a JSON object");
  TensorEntry e;
  e.name = t;
  if (!j.contains("dtype") || !j["dtype"].is_string()) {
    return BadTensor(name, t, "\"dtype\" must be a string, F32 or F16");
  }
  const std::string dtype = j["dtype"].get<std::string>();
  if (dtype == "F32") {
    e.dtype_bytes = 4;
  } else if (dtype == "F16") {
    e.dtype_bytes = 2;
  } else {
    return BadTensor(name, t, absl::StrCat("dtype \"", dtype, "\" is not supported (F32 or F16)"));
  }
  if (!j.contains("shape")) return BadTensor(name, t, "missing \"shape\"");
  absl::StatusOr<Shape> shape = ParseShape(j["shape"], name, t, data_bytes);
  if (!shape.ok()) return shape.status();
  e.shape = *shape;
  const std::string offsets_rule =
      "\"data_offsets\" must be [begin, end] with 0 <= begin <= end <= data section size ";
  if (!j.contains("data_offsets") || !j["data_offsets"].is_array() ||
      j["data_offsets"].size() != 2 || !j["data_offsets"][0].is_number_unsigned() ||
      !j["data_offsets"][1].is_number_unsigned()) {
    return BadTensor(name, t, absl::StrCat(offsets_rule, data_bytes));
  }
  e.begin = j["data_offsets"][0].get<uint64_t>();
  e.end = j["data_offsets"][1].get<uint64_t>();
  if (e.begin > e.end || e.end > data_bytes) {
    return BadTensor(name, t,
                     absl::StrCat(offsets_rule, data_bytes, ", got [", e.begin, ", ", e.end, "]"));
  }
  const uint64_t expected = static_cast<uint64_t>(e.shape.NumElements()) * e.dtype_bytes;
  if (e.end - e.begin != expected) {
    return BadTensor(name, t,
                     absl::StrCat("data_offsets span ", e.end - e.begin, " bytes but shape ",
                                  e.shape.ToString(), " of ", dtype, " needs ", expected));
  }
  return e;
}

Tensor Decode(const TensorEntry& e, const unsigned char* data) {
  Tensor out(e.shape);
  const unsigned char* p = data + e.begin;
  const int64_t n = out.size();
  if (e.dtype_bytes == 4) {
    for (int64_t i = 0; i < n; ++i) out[i] = ReadLeF32(p + 4 * i);
  } else {
    for (int64_t i = 0; i < n; ++i) {
      out[i] = HalfToFloat(static_cast<uint16_t>(p[2 * i] | (p[2 * i + 1] << 8)));
    }
  }
  return out;
}

absl::Status ParseMetadataEntry(const Json& j, std::string_view name, ModelFile* file) {
  if (!j.is_object()) return Bad(name, "\"__metadata__\" must be an object of strings");
  for (const auto& [key, value] : j.items()) {
    if (!value.is_string()) {
      return Bad(name, absl::StrCat("\"__metadata__\" entry \"", key, "\" must be a string"));
    }
    if (key != kAurisKey) file->extra[key] = value.get<std::string>();
  }
  if (!j.contains(kAurisKey)) {
    return Bad(name, "\"__metadata__\" has no \"auris\" entry (the model's JSON description)");
  }
  absl::StatusOr<ModelMetadata> m = ParseModelMetadata(j[kAurisKey].get<std::string>(), name);
  if (!m.ok()) return m.status();
  file->metadata = *std::move(m);
  return absl::OkStatus();
}

}  // namespace

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h >> 15) << 31;
  const uint32_t exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0) {
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  } else if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

absl::StatusOr<ModelFile> ParseModelFile(std::string_view bytes, std::string_view name) {
  if (bytes.size() < 8) {
    return Bad(name, absl::StrCat("truncated: ", bytes.size(),
                                  " bytes, need at least 8 for the header length"));
  }
  const auto* base = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint64_t header_bytes = ReadLe64(base);
  if (header_bytes < 2 || header_bytes > kMaxModelHeaderBytes || header_bytes > bytes.size() - 8) {
    return Bad(name, absl::StrCat("header length ", header_bytes, " must be in 2..",
                                  std::min<uint64_t>(kMaxModelHeaderBytes, bytes.size() - 8),
                                  " (at most 100 MB and within the file)"));
  }
  const std::string_view header = bytes.substr(8, header_bytes);
  const uint64_t data_bytes = bytes.size() - 8 - header_bytes;
  std::set<std::string> seen;
  bool duplicate = false;
  Json::parser_callback_t track_keys = [&](int depth, Json::parse_event_t event, Json& parsed) {
    if (depth == 1 && event == Json::parse_event_t::key && parsed.is_string() &&
        !seen.insert(parsed.get<std::string>()).second) {
      duplicate = true;
    }
    return true;
  };
  const Json j = Json::parse(header, track_keys, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(name, "the header is not valid JSON");
  if (!j.is_object()) return Bad(name, "the header must be a JSON object");
  if (duplicate) return Bad(name, "the header names a tensor more than once");
  ModelFile file;
  file.name = std::string(name);
  if (!j.contains(kMetadataKey)) {
    return Bad(name, "the header has no \"__metadata__\" (it must hold the \"auris\" entry)");
  }
  if (absl::Status s = ParseMetadataEntry(j[kMetadataKey], name, &file); !s.ok()) return s;
  std::vector<TensorEntry> entries;
  for (const auto& [key, value] : j.items()) {
    if (key == kMetadataKey) continue;
    absl::StatusOr<TensorEntry> e = ParseEntry(key, value, name, data_bytes);
    if (!e.ok()) return e.status();
    entries.push_back(*std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      return BadTensor(name, entries[i].name,
                       absl::StrCat("data overlaps tensor \"", entries[i - 1].name,
                                    "\"; tensors must occupy disjoint byte ranges"));
    }
  }
  const unsigned char* data = base + 8 + header_bytes;
  for (const TensorEntry& e : entries) file.tensors.emplace(e.name, Decode(e, data));
  return file;
}

absl::StatusOr<ModelFile> LoadModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("model file ", path, ": cannot open"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::NotFoundError(absl::StrCat("model file ", path, ": read error"));
  return ParseModelFile(bytes, path);
}

}  // namespace auris::nn
