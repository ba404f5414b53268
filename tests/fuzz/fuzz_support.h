#pragma once
// Shared by the fuzz targets: fixed endpoints, and the checks every decode must pass.

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "types/types.h"

namespace ssf::fuzz {

inline config::Param param(std::string id, config::DataType type) {
  config::Param p;
  p.id = std::move(id);
  p.type = type;
  return p;
}

// Every basic and list type.
inline config::Endpoint all_types(config::ParamFormat format) {
  using config::DataType;
  config::Endpoint e;
  e.id = "fuzz";
  e.param_format = format;
  e.inputs = {param("s", DataType::String),      param("i", DataType::Integer),
              param("f", DataType::Float),       param("b", DataType::Boolean),
              param("ls", DataType::ListString), param("li", DataType::ListInteger),
              param("lf", DataType::ListFloat),  param("lb", DataType::ListBoolean),
              param("la", DataType::ListAny)};
  return e;
}

// A decode either fails with an Error, or gives exactly one of inputs and invalid; the params
// and the error bodies are JSON that parse back; uploads exist and are then removed.
inline void check(const Result<types::DecodeResult>& result) {
  if (!result) return;
  if (result->inputs.has_value() == result->invalid.has_value()) std::abort();
  if (result->invalid) {
    if (!types::parse_json(result->invalid->body)) std::abort();
    return;
  }
  auto params = types::parse_json(result->inputs->params_json);
  if (!params || params->kind() != config::Value::Kind::Map) std::abort();
  for (const auto& file : result->inputs->temp_files) {
    std::error_code ec;
    if (!std::filesystem::remove(file, ec)) std::abort();
  }
}

}  // namespace ssf::fuzz
