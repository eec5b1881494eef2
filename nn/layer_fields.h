// The fields of one entry of a model's layer list (models/recipes/common/netspec.py), typed,
// with getters that validate and name the entry and field in every error:
//   INVALID_ARGUMENT "layers[2] (\"conv1\", conv1d): field \"stride\" must be an integer in
//   [1, 4096], got -1". Immutable value type; safe to share.
#ifndef AURIS_NN_LAYER_FIELDS_H_
#define AURIS_NN_LAYER_FIELDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace auris::nn {

class LayerFields {
 public:
  // A JSON value: monostate stands for null, arrays and objects (never a valid field value).
  using Value = std::variant<std::monostate, bool, int64_t, double, std::string>;

  // `index` is the entry's position in the list; `values` holds every field but type, name.
  LayerFields(int index, std::string type, std::string name, std::map<std::string, Value> values)
      : index_(index), type_(std::move(type)), name_(std::move(name)), values_(std::move(values)) {}

  int index() const { return index_; }
  const std::string& type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::map<std::string, Value>& values() const { return values_; }
  // "layers[2] (\"conv1\", conv1d)", the prefix of every message about this entry.
  std::string Where() const;
  // INVALID_ARGUMENT "<Where()>: field \"<field>\" <what>".
  absl::Status FieldError(std::string_view field, const std::string& what) const;

  // An integer in [min, max]. Absent: `fallback`, or an error saying the field is required
  // when there is none.
  absl::StatusOr<int64_t> Int(std::string_view field, std::optional<int64_t> fallback, int64_t min,
                              int64_t max) const;
  absl::StatusOr<bool> Bool(std::string_view field, bool fallback) const;
  // A number (integer or not) in (min_exclusive, max]; `fallback` when absent.
  absl::StatusOr<double> Number(std::string_view field, double fallback, double min_exclusive,
                                double max) const;

 private:
  const Value* Find(std::string_view field) const;

  int index_;
  std::string type_;
  std::string name_;
  std::map<std::string, Value> values_;
};

// A JSON value for messages: "true", "3", "0.5", "\"abc\"", "null/array/object".
std::string DescribeValue(const LayerFields::Value& value);

}  // namespace auris::nn

#endif  // AURIS_NN_LAYER_FIELDS_H_
