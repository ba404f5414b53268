// The response of a generated endpoint (fastapi.template's "returns"):
//   - without a PngImageBytes output: JSONResponse({id: cast(results[id]) ...}) in config order,
//     compact, and refusing nan and infinities (Starlette renders with allow_nan=False);
//   - with one: Response(content=results[png], media_type="image/png"), every other output as a
//     header `<id>: str(results[id])` (no cast). Starlette lowercases header names and encodes
//     values as latin-1; a value it cannot encode failed the request.
// Any failure is the application's: upstream answered 400 "There was an error processing inputs".

#include <cmath>

#include "types/internal.h"

namespace ssf::types {

namespace {

using config::DataType;
using config::Value;
using internal::python_repr;

Error output_error(const config::Param& output, std::string_view message) {
  return Error(ResultCode::ApplicationError, "output '" + output.id + "': " + std::string(message));
}

bool all_finite(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Float: return std::isfinite(v.as_float());
    case Value::Kind::List:
      for (const auto& item : v.as_list()) {
        if (!all_finite(item)) return false;
      }
      return true;
    case Value::Kind::Map:
      for (const auto& [key, item] : v.as_map()) {
        if (!all_finite(item)) return false;
      }
      return true;
    default: return true;
  }
}

// results[id], as the Python value the application returned.
Result<Value> result_value(const config::Param& output, const AppResult& result) {
  if (const Value* value = result.outputs.find(output.id)) return *value;
  auto bytes = result.bytes.find(output.id);
  if (bytes != result.bytes.end()) return internal::bytes_output(output.type, bytes->second);
  return Error(ResultCode::ApplicationError, "missing output '" + output.id + "'");
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

Result<std::pair<std::string, std::string>> header(const config::Param& output,
                                                   const AppResult& result) {
  std::string name;
  for (char c : output.id) {
    if (!is_token_char(c)) return output_error(output, "the id is not a valid header name");
    name += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  auto value = result_value(output, result);
  if (!value) return std::move(value).error();
  auto latin1 = internal::utf8_to_latin1(value->python_str());
  if (!latin1) return output_error(output, "str() of the value is not latin-1 text");
  if (latin1->find_first_of("\r\n", 0) != std::string::npos ||
      latin1->find('\0') != std::string::npos) {
    return output_error(output, "str() of the value spans lines");
  }
  return std::pair{std::move(name), std::move(*latin1)};
}

Result<std::string> png_body(const config::Param& output, const AppResult& result) {
  auto bytes = result.bytes.find(output.id);
  if (bytes != result.bytes.end()) return bytes->second;
  const Value* value = result.outputs.find(output.id);
  if (!value) return Error(ResultCode::ApplicationError, "missing output '" + output.id + "'");
  // Starlette's Response takes a str too, and sends it as UTF-8.
  if (value->kind() == Value::Kind::String) return value->as_string();
  return output_error(output, "PngImageBytes must be bytes, not " + python_repr(*value));
}

}  // namespace

Result<EncodedResponse> encode_outputs(const config::Endpoint& endpoint, const AppResult& result) {
  if (result.outputs.kind() != Value::Kind::Map) {
    return Error(ResultCode::ApplicationError, "the application's result is not a dict");
  }
  const config::Param* png = nullptr;
  for (const auto& output : endpoint.outputs) {
    if (output.type == DataType::PngImageBytes) png = &output;
  }
  EncodedResponse response;
  if (png) {
    response.content_type = "image/png";
    for (const auto& output : endpoint.outputs) {
      if (&output == png) continue;
      auto h = header(output, result);
      if (!h) return std::move(h).error();
      response.headers.push_back(std::move(*h));
    }
    auto body = png_body(*png, result);
    if (!body) return std::move(body).error();
    response.body = std::move(*body);
    return response;
  }
  Value::Map fields;
  for (const auto& output : endpoint.outputs) {
    auto value = result_value(output, result);
    if (!value) return std::move(value).error();
    auto cast = internal::cast_output(output.type, *value);
    if (!cast) return std::move(cast).error().with_context("output '" + output.id + "'");
    if (!all_finite(*cast)) {
      return output_error(output, "out of range float values are not JSON compliant");
    }
    fields.emplace_back(output.id, std::move(*cast));
  }
  response.body = Value::map(std::move(fields)).to_json();
  return response;
}

}  // namespace ssf::types
