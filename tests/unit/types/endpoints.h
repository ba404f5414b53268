#pragma once
// Endpoints and requests for the types tests.

#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "types/types.h"

namespace ssf::types::test {

using config::DataType;

inline config::Param param(std::string id, DataType type) {
  config::Param p;
  p.id = std::move(id);
  p.type = type;
  return p;
}

inline config::Endpoint endpoint(std::vector<config::Param> inputs,
                                 config::ParamFormat format = config::ParamFormat::Json,
                                 std::vector<config::Param> outputs = {}) {
  config::Endpoint e;
  e.id = "test";
  e.param_format = format;
  e.inputs = std::move(inputs);
  e.outputs = std::move(outputs);
  return e;
}

// Every basic and list type, as the oracle's pydantic model declares them.
inline config::Endpoint all_types(config::ParamFormat format = config::ParamFormat::Json) {
  return endpoint(
      {param("s", DataType::String), param("i", DataType::Integer), param("f", DataType::Float),
       param("b", DataType::Boolean), param("ls", DataType::ListString),
       param("li", DataType::ListInteger), param("lf", DataType::ListFloat),
       param("lb", DataType::ListBoolean), param("la", DataType::ListAny)},
      format);
}

// The status and body a request gets: 200 and the params, or the InvalidInput.
inline std::pair<int, std::string> answer(const config::Endpoint& e, const HttpInput& request,
                                          const DecodeOptions& options = {}) {
  auto result = decode_inputs(e, request, options);
  if (!result) return {-1, result.error().message()};
  if (result->invalid) return {result->invalid->status, result->invalid->body};
  return {200, result->inputs->params_json};
}

}  // namespace ssf::types::test
