// pydantic v1's validators for the field types of upstream's generated endpoints (str, int,
// float, bool, List[...] and list), with its messages. Values arrive as json.loads left them
// (JSON format) or as strings (query parameters); either way they are Python values here.

#include <cmath>

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

using config::DataType;
using config::Value;
using Kind = Value::Kind;

struct Rule {
  std::optional<Value> (*validate)(const Value&);
  const char* msg;
  const char* type;
};

// str_validator: str as is; int, float (and bool, an int in Python) through str().
std::optional<Value> validate_str(const Value& v) {
  switch (v.kind()) {
    case Kind::String: return v;
    case Kind::Int:
    case Kind::Float:
    case Kind::Bool: return Value::string(v.python_str());
    default: return std::nullopt;
  }
}

// int_validator: int(v), which truncates floats and parses strings.
std::optional<Value> validate_int(const Value& v) {
  switch (v.kind()) {
    case Kind::Int: return v;
    case Kind::Bool: return Value::integer(v.as_bool() ? 1 : 0);
    case Kind::Float: {
      auto i = python_int_of_float(v.as_float());
      return i ? std::optional<Value>(Value::integer(*i)) : std::nullopt;
    }
    case Kind::String: {
      // pydantic refuses strings longer than CPython's int digit limit before calling int().
      if (code_point_count(v.as_string()) > 4300) return std::nullopt;
      auto i = python_int(v.as_string());
      return i ? std::optional<Value>(Value::integer(*i)) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

// float_validator: float(v).
std::optional<Value> validate_float(const Value& v) {
  switch (v.kind()) {
    case Kind::Float: return v;
    case Kind::Int: return Value::floating(static_cast<double>(v.as_int()));
    case Kind::Bool: return Value::floating(v.as_bool() ? 1.0 : 0.0);
    case Kind::String: {
      auto d = python_float(v.as_string());
      return d ? std::optional<Value>(Value::floating(*d)) : std::nullopt;
    }
    default: return std::nullopt;
  }
}

// bool_validator: membership in {0, '0', 'off', 'f', 'false', 'n', 'no'} and {1, '1', 'on', 't',
// 'true', 'y', 'yes'} after str.lower(); 1.0 and 0.0 are members too, as they hash as 1 and 0.
std::optional<Value> validate_bool(const Value& v) {
  switch (v.kind()) {
    case Kind::Bool: return v;
    case Kind::Int:
      if (v.as_int() == 0 || v.as_int() == 1) return Value::boolean(v.as_int() == 1);
      return std::nullopt;
    case Kind::Float:
      if (v.as_float() == 0.0 || v.as_float() == 1.0) return Value::boolean(v.as_float() == 1.0);
      return std::nullopt;
    case Kind::String: {
      std::string s = v.as_string();
      for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      if (s == "1" || s == "on" || s == "t" || s == "true" || s == "y" || s == "yes") {
        return Value::boolean(true);
      }
      if (s == "0" || s == "off" || s == "f" || s == "false" || s == "n" || s == "no") {
        return Value::boolean(false);
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

Rule rule(DataType element) {
  switch (element) {
    case DataType::Integer:
    case DataType::ListInteger:
      return {validate_int, "value is not a valid integer", "type_error.integer"};
    case DataType::Float:
    case DataType::ListFloat:
      return {validate_float, "value is not a valid float", "type_error.float"};
    case DataType::Boolean:
    case DataType::ListBoolean:
      return {validate_bool, "value could not be parsed to a boolean", "type_error.bool"};
    default: return {validate_str, "str type expected", "type_error.str"};
  }
}

Issue none_issue(const Value& at) {
  return Issue{at, "none is not an allowed value", "type_error.none.not_allowed", {}};
}

}  // namespace

std::optional<Value> coerce(DataType type, const Value& value, const Value& at, Issues& issues) {
  if (value.is_null()) {
    issues.push_back(none_issue(at));
    return std::nullopt;
  }
  if (!config::is_list(type)) {
    Rule r = rule(type);
    auto out = r.validate(value);
    if (!out) issues.push_back(Issue{at, r.msg, r.type, {}});
    return out;
  }
  if (value.kind() != Kind::List) {
    issues.push_back(Issue{at, "value is not a valid list", "type_error.list", {}});
    return std::nullopt;
  }
  if (type == DataType::ListAny) return value;
  // Every element is checked, and every failing one reported at its index.
  Rule r = rule(type);
  const Value::List& items = value.as_list();
  Value::List out;
  out.reserve(items.size());
  bool ok = true;
  for (size_t i = 0; i < items.size(); ++i) {
    const Value& item = items[i];
    auto valid = item.is_null() ? std::nullopt : r.validate(item);
    if (valid) {
      out.push_back(std::move(*valid));
    } else {
      ok = false;
      issues.push_back(item.is_null() ? none_issue(loc_index(at, i))
                                      : Issue{loc_index(at, i), r.msg, r.type, {}});
    }
  }
  if (!ok) return std::nullopt;
  return Value::list(std::move(out));
}

}  // namespace ssf::types::internal
