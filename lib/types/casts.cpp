// The casts of upstream's generated endpoint (fastapi_types.gen_output_type_mapping): str(x),
// int(x), float(x), bool(x), list(x), and list(map(<cast>, x)) for typed lists. Python iterates
// a str by character and a dict by key, so those are lists to list() too.

#include <cmath>

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

using config::DataType;
using config::Value;
using Kind = Value::Kind;

std::string_view python_type(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return "NoneType";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::List: return "list";
    case Kind::Map: return "dict";
  }
  return "object";
}

Error cast_error(std::string_view cast, const Value& v) {
  return Error(ResultCode::ApplicationError, std::string(cast) + "() of " + python_repr(v) + " (" +
                                                 std::string(python_type(v)) + ") failed");
}

Result<Value> to_int(const Value& v) {
  switch (v.kind()) {
    case Kind::Int: return v;
    case Kind::Bool: return Value::integer(v.as_bool() ? 1 : 0);
    case Kind::Float:
      if (auto i = python_int_of_float(v.as_float())) return Value::integer(*i);
      break;
    case Kind::String:
      if (auto i = python_int(v.as_string())) return Value::integer(*i);
      break;
    default: break;
  }
  return cast_error("int", v);
}

Result<Value> to_float(const Value& v) {
  switch (v.kind()) {
    case Kind::Float: return v;
    case Kind::Int: return Value::floating(static_cast<double>(v.as_int()));
    case Kind::Bool: return Value::floating(v.as_bool() ? 1.0 : 0.0);
    case Kind::String:
      if (auto d = python_float(v.as_string())) return Value::floating(*d);
      break;
    default: break;
  }
  return cast_error("float", v);
}

bool truth(const Value& v) {
  switch (v.kind()) {
    case Kind::Null: return false;
    case Kind::Bool: return v.as_bool();
    case Kind::Int: return v.as_int() != 0;
    case Kind::Float: return v.as_float() != 0.0;  // nan is true
    case Kind::String: return !v.as_string().empty();
    case Kind::List: return !v.as_list().empty();
    case Kind::Map: return !v.as_map().empty();
  }
  return false;
}

Result<Value> scalar(DataType type, const Value& v) {
  switch (type) {
    case DataType::Integer:
    case DataType::ListInteger: return to_int(v);
    case DataType::Float:
    case DataType::ListFloat: return to_float(v);
    case DataType::Boolean:
    case DataType::ListBoolean: return Value::boolean(truth(v));
    default: return Value::string(v.python_str());
  }
}

// list(v): the items Python's iteration yields.
Result<Value::List> items(const Value& v) {
  switch (v.kind()) {
    case Kind::List: return v.as_list();
    case Kind::String: {
      Value::List out;
      for (auto& c : code_points(v.as_string())) out.push_back(Value::string(std::move(c)));
      return out;
    }
    case Kind::Map: {
      Value::List out;
      for (const auto& entry : v.as_map()) out.push_back(Value::string(entry.first));
      return out;
    }
    default: return cast_error("list", v);
  }
}

}  // namespace

std::string python_repr(const Value& value) {
  std::string list = Value::list({value}).python_str();
  std::string repr = list.substr(1, list.size() - 2);
  constexpr size_t kMax = 80;
  if (repr.size() > kMax) repr = repr.substr(0, kMax) + "...";
  return repr;
}

Result<Value> cast_output(DataType type, const Value& value) {
  if (!config::is_list(type)) return scalar(type, value);
  auto list = items(value);
  if (!list) return std::move(list).error();
  if (type == DataType::ListAny) return Value::list(std::move(*list));
  Value::List out;
  out.reserve(list->size());
  for (const Value& item : *list) {
    auto cast = scalar(type, item);
    if (!cast) return std::move(cast).error();
    out.push_back(std::move(*cast));
  }
  return Value::list(std::move(out));
}

Value bytes_output(DataType type, std::string_view bytes) {
  if (config::is_list(type)) {
    Value::List out;
    out.reserve(bytes.size());
    for (char c : bytes) out.push_back(Value::integer(static_cast<unsigned char>(c)));
    return Value::list(std::move(out));
  }
  switch (type) {
    case DataType::Integer:
    case DataType::Float: return Value::string(std::string(bytes));
    case DataType::Boolean: return Value::boolean(!bytes.empty());
    default: return Value::string(python_bytes_repr(bytes));
  }
}

}  // namespace ssf::types::internal
