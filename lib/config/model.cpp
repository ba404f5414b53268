#include "config/model.h"

#include <array>
#include <utility>

namespace ssf::config {

namespace {

constexpr std::array<std::pair<DataType, std::string_view>, 11> kTypeNames = {{
    {DataType::String, "String"},
    {DataType::Integer, "Integer"},
    {DataType::Float, "Float"},
    {DataType::Boolean, "Boolean"},
    {DataType::ListString, "ListString"},
    {DataType::ListInteger, "ListInteger"},
    {DataType::ListFloat, "ListFloat"},
    {DataType::ListBoolean, "ListBoolean"},
    {DataType::ListAny, "ListAny"},
    {DataType::TempFile, "TempFile"},
    {DataType::PngImageBytes, "PngImageBytes"},
}};

}  // namespace

std::optional<DataType> parse_data_type(std::string_view name) {
  for (const auto& [type, type_name] : kTypeNames) {
    if (type_name == name) return type;
  }
  return std::nullopt;
}

std::string_view data_type_name(DataType type) {
  for (const auto& [t, type_name] : kTypeNames) {
    if (t == type) return type_name;
  }
  return "?";
}

std::string data_type_names() {
  std::string out;
  for (const auto& [type, type_name] : kTypeNames) {
    if (!out.empty()) out += ", ";
    out += type_name;
  }
  return out;
}

bool is_list(DataType type) {
  switch (type) {
    case DataType::ListString:
    case DataType::ListInteger:
    case DataType::ListFloat:
    case DataType::ListBoolean:
    case DataType::ListAny: return true;
    default: return false;
  }
}

}  // namespace ssf::config
