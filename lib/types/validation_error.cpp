// FastAPI's answers to bad input: the RequestValidationError body (422) and HTTPException bodies.
// Starlette's JSONResponse writes them compactly, with non-ASCII text as is (ensure_ascii=False),
// which is what Value::to_json does.

#include "types/internal.h"

namespace ssf::types::internal {

using config::Value;

Value loc(std::string_view where) { return Value::list({Value::string(std::string(where))}); }

Value loc(std::string_view where, std::string_view field) {
  return Value::list({Value::string(std::string(where)), Value::string(std::string(field))});
}

Value loc_index(const Value& parent, size_t index) {
  Value at = parent;
  at.as_list().push_back(Value::integer(static_cast<int64_t>(index)));
  return at;
}

Issue missing(Value at) {
  return Issue{std::move(at), "field required", "value_error.missing", {}};
}

InvalidInput unprocessable(const Issues& issues) {
  Value::List detail;
  detail.reserve(issues.size());
  for (const Issue& issue : issues) {
    Value::Map item{
        {"loc", issue.loc}, {"msg", Value::string(issue.msg)}, {"type", Value::string(issue.type)}};
    // pydantic's error_dict() adds the exception's attributes, when it has any, as "ctx".
    if (issue.ctx) item.emplace_back("ctx", *issue.ctx);
    detail.push_back(Value::map(std::move(item)));
  }
  return InvalidInput{422, Value::map({{"detail", Value::list(std::move(detail))}}).to_json()};
}

InvalidInput http_error(int status, std::string_view detail) {
  return InvalidInput{status,
                      Value::map({{"detail", Value::string(std::string(detail))}}).to_json()};
}

DecodeResult invalid(InvalidInput input) {
  DecodeResult result;
  result.invalid = std::move(input);
  return result;
}

}  // namespace ssf::types::internal
