// pydantic v1's validators, value by value (the request tables exercise them through FastAPI).

#include <catch2/catch.hpp>

#include "types/internal.h"

using ssf::config::DataType;
using ssf::config::Value;
using namespace ssf::types;
using namespace ssf::types::internal;

namespace {

// The coerced value as JSON, or the errors as "<loc> <type>; ...".
std::string coerced(DataType type, std::string_view json) {
  auto value = parse_json(json);
  REQUIRE(value);
  Issues issues;
  auto out = coerce(type, *value, loc("body", "v"), issues);
  if (out) {
    CHECK(issues.empty());
    return out->to_json();
  }
  std::string text;
  for (const auto& issue : issues) {
    if (!text.empty()) text += "; ";
    text += issue.loc.to_json() + " " + issue.type;
  }
  return text;
}

}  // namespace

TEST_CASE("coerce: pydantic v1 per type", "[coerce]") {
  struct {
    DataType type;
    const char* value;
    const char* expected;
  } cases[] = {
      {DataType::String, R"("x")", R"("x")"},
      {DataType::String, "12", R"("12")"},
      {DataType::String, "2.50", R"("2.5")"},
      {DataType::String, "false", R"("False")"},
      {DataType::String, "[]", R"(["body","v"] type_error.str)"},
      {DataType::String, "null", R"(["body","v"] type_error.none.not_allowed)"},
      {DataType::Integer, "1.0", "1"},
      {DataType::Integer, R"(" 0x1 ")", R"(["body","v"] type_error.integer)"},
      // Python makes an int of any size; int64 cannot hold this one.
      {DataType::Integer, "1e300", R"(["body","v"] type_error.integer)"},
      {DataType::Float, "3", "3.0"},
      {DataType::Float, R"("-inf")", "-Infinity"},
      {DataType::Boolean, "1.0", "true"},
      {DataType::Boolean, "-0.0", "false"},
      {DataType::Boolean, R"("TRUE")", "true"},
      {DataType::Boolean, R"(" yes")", R"(["body","v"] type_error.bool)"},
      {DataType::Boolean, "{}", R"(["body","v"] type_error.bool)"},
      {DataType::ListString, R"(["a", 1, true])", R"(["a","1","True"])"},
      {DataType::ListInteger, R"([1, "x", null, []])",
       R"(["body","v",1] type_error.integer; ["body","v",2] type_error.none.not_allowed; )"
       R"(["body","v",3] type_error.integer)"},
      {DataType::ListFloat, R"({"a": 1})", R"(["body","v"] type_error.list)"},
      {DataType::ListBoolean, R"("true")", R"(["body","v"] type_error.list)"},
      {DataType::ListAny, R"([null, [1], {"a": "b"}])", R"([null,[1],{"a":"b"}])"},
      {DataType::ListAny, R"("abc")", R"(["body","v"] type_error.list)"},
      {DataType::ListAny, "null", R"(["body","v"] type_error.none.not_allowed)"},
  };
  for (const auto& c : cases) {
    INFO(ssf::config::data_type_name(c.type) << " of " << c.value);
    CHECK(coerced(c.type, c.value) == c.expected);
  }
}
