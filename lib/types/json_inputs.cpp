// The JSON format (ssf-behaviour.md §3): the body is the generated pydantic model `Inputs`, the
// endpoint's single, un-embedded body parameter. What FastAPI 0.99 does with it, in order:
//   - an empty body is a missing parameter ("field required" at ["body"]);
//   - a Content-Type that is not application/json or */*+json leaves the body as bytes, which
//     the model refuses ("value is not a valid dict"); no Content-Type at all means JSON;
//   - the body is json.loads'ed: bytes that are not UTF-8 are a 400, a JSONDecodeError a 422
//     that echoes the document, a RecursionError a 400;
//   - JSON null is a missing parameter; the model takes dict(value), so a list of pairs works;
//   - then each field in declared order: missing, or pydantic's validation (coerce.cpp).

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

using config::Value;
using Kind = Value::Kind;

// email.message.Message's get_content_maintype()/get_content_subtype(), as FastAPI asks them.
bool is_json_content_type(std::string_view header) {
  if (header.empty()) return true;
  std::string value = latin1_to_utf8(header.substr(0, header.find(';')));
  std::string type(python_strip(value));
  for (char& c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  size_t slash = type.find('/');
  if (slash == std::string::npos || type.find('/', slash + 1) != std::string::npos) {
    return false;  // RFC 2045 §5.2: an invalid type is text/plain
  }
  std::string_view main = std::string_view(type).substr(0, slash);
  std::string_view sub = std::string_view(type).substr(slash + 1);
  return main == "application" && (sub == "json" || ends_with(sub, "+json"));
}

Issue body_issue(const char* msg, const char* type) { return Issue{loc("body"), msg, type, {}}; }

Issue dict_error() { return body_issue("value is not a valid dict", "type_error.dict"); }

// BaseModel.validate(value): a dict as is, anything else through dict(value), then cls(**dict).
// dict() takes an iterable of 2-item iterables: [key, value] lists, 2-character strings, 2-key
// objects; "" and [] are empty. A key that is not a string fails the ** call.
std::variant<Value, Issue> as_fields(Value body) {
  switch (body.kind()) {
    case Kind::Map: return body;
    case Kind::String:
      if (body.as_string().empty()) return Value::map();
      return dict_error();
    case Kind::List: break;
    default: return dict_error();
  }
  std::vector<std::pair<Value, Value>> pairs;
  for (const Value& item : body.as_list()) {
    if (item.kind() == Kind::List && item.as_list().size() == 2) {
      const Value& key = item.as_list()[0];
      if (!key.is_scalar()) return dict_error();  // unhashable
      pairs.emplace_back(key, item.as_list()[1]);
    } else if (item.kind() == Kind::String && code_point_count(item.as_string()) == 2) {
      auto chars = code_points(item.as_string());
      pairs.emplace_back(Value::string(chars[0]), Value::string(chars[1]));
    } else if (item.kind() == Kind::Map && item.as_map().size() == 2) {
      pairs.emplace_back(Value::string(item.as_map()[0].first),
                         Value::string(item.as_map()[1].first));
    } else {
      return dict_error();
    }
  }
  Value fields = Value::map();
  for (auto& [key, value] : pairs) {
    if (key.kind() != Kind::String) {
      // Cython's message for pydantic's compiled BaseModel.__init__.
      return body_issue("__init__() keywords must be strings", "type_error");
    }
    fields.set(key.as_string(), std::move(value));
  }
  return fields;
}

Issue decode_issue(const JsonDecodeError& e, std::string_view doc) {
  auto count = [](size_t n) { return Value::integer(static_cast<int64_t>(n)); };
  // error_dict() puts the JSONDecodeError's attributes in "ctx", the whole document included.
  Value ctx = Value::map({{"msg", Value::string(e.msg)},
                          {"doc", Value::string(std::string(doc))},
                          {"pos", count(e.pos)},
                          {"lineno", count(e.lineno)},
                          {"colno", count(e.colno)}});
  Value at = Value::list({Value::string("body"), count(e.pos)});
  return Issue{std::move(at), e.message(), "value_error.jsondecode", std::move(ctx)};
}

}  // namespace

Result<DecodeResult> decode_json_inputs(const config::Endpoint& endpoint,
                                        const HttpInput& request) {
  std::string_view body = request.body;
  if (body.empty()) return invalid(unprocessable({missing(loc("body"))}));
  if (!is_json_content_type(request.content_type)) return invalid(unprocessable({dict_error()}));
  // json.loads detects the encoding of bytes; a UTF-8 byte order mark is dropped ("utf-8-sig").
  if (starts_with(body, "\xef\xbb\xbf")) body.remove_prefix(3);
  if (!is_utf8(body)) return invalid(http_error(400, kBodyParseError));

  JsonDecoded decoded = decode_json(body);
  if (std::holds_alternative<JsonTooDeep>(decoded)) {
    return invalid(http_error(400, kBodyParseError));
  }
  if (auto* error = std::get_if<JsonDecodeError>(&decoded)) {
    return invalid(unprocessable({decode_issue(*error, body)}));
  }
  Value& value = std::get<Value>(decoded);
  if (value.is_null()) return invalid(unprocessable({missing(loc("body"))}));

  auto fields = as_fields(std::move(value));
  if (auto* issue = std::get_if<Issue>(&fields)) return invalid(unprocessable({*issue}));
  const Value& received = std::get<Value>(fields);

  Issues issues;
  Value::Map params;
  for (const config::Param& input : endpoint.inputs) {
    Value at = loc("body", input.id);
    const Value* field = received.find(input.id);
    if (!field) {
      issues.push_back(missing(std::move(at)));
      continue;
    }
    if (auto coerced = coerce(input.type, *field, at, issues)) {
      params.emplace_back(input.id, std::move(*coerced));
    }
  }
  if (!issues.empty()) return invalid(unprocessable(issues));
  DecodeResult result;
  result.inputs = DecodedInputs{Value::map(std::move(params)).to_json(), {}};
  return result;
}

}  // namespace ssf::types::internal
