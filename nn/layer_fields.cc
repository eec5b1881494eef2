#include "nn/layer_fields.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace auris::nn {

std::string DescribeValue(const LayerFields::Value& value) {
  if (std::holds_alternative<bool>(value)) return std::get<bool>(value) ? "true" : "false";
  if (std::holds_alternative<int64_t>(value)) return absl::StrCat(std::get<int64_t>(value));
  if (std::holds_alternative<double>(value)) return absl::StrCat(std::get<double>(value));
  if (std::holds_alternative<std::string>(value)) {
    return absl::StrCat("\"", std::get<std::string>(value), "\"");
  }
  return "a null, array or object";
}

std::string LayerFields::Where() const {
  return absl::StrCat("layers[", index_, "] (\"", name_, "\", ", type_, ")");
}

absl::Status LayerFields::FieldError(std::string_view field, const std::string& what) const {
  return absl::InvalidArgumentError(
      absl::StrCat(Where(), ": field \"", std::string(field), "\" ", what));
}

const LayerFields::Value* LayerFields::Find(std::string_view field) const {
  const auto it = values_.find(std::string(field));
  return it == values_.end() ? nullptr : &it->second;
}

absl::StatusOr<int64_t> LayerFields::Int(std::string_view field, std::optional<int64_t> fallback,
                                         int64_t min, int64_t max) const {
  const std::string allowed = absl::StrCat("must be an integer in [", min, ", ", max, "]");
  const Value* v = Find(field);
  if (v == nullptr) {
    if (fallback.has_value()) return *fallback;
    return FieldError(field, absl::StrCat("is required and ", allowed));
  }
  if (!std::holds_alternative<int64_t>(*v) || std::get<int64_t>(*v) < min ||
      std::get<int64_t>(*v) > max) {
    return FieldError(field, absl::StrCat(allowed, ", got ", DescribeValue(*v)));
  }
  return std::get<int64_t>(*v);
}

absl::StatusOr<bool> LayerFields::Bool(std::string_view field, bool fallback) const {
  const Value* v = Find(field);
  if (v == nullptr) return fallback;
  if (!std::holds_alternative<bool>(*v)) {
    return FieldError(field, absl::StrCat("must be true or false, got ", DescribeValue(*v)));
  }
  return std::get<bool>(*v);
}

absl::StatusOr<double> LayerFields::Number(std::string_view field, double fallback,
                                           double min_exclusive, double max) const {
  const Value* v = Find(field);
  if (v == nullptr) return fallback;
  double x = 0.0;
  if (std::holds_alternative<int64_t>(*v)) {
    x = static_cast<double>(std::get<int64_t>(*v));
  } else if (std::holds_alternative<double>(*v)) {
    x = std::get<double>(*v);
  } else {
    x = min_exclusive;  // fails the range check below
  }
  if (!(x > min_exclusive && x <= max)) {
    return FieldError(field, absl::StrCat("must be a number in (", min_exclusive, ", ", max,
                                          "], got ", DescribeValue(*v)));
  }
  return x;
}

}  // namespace auris::nn
