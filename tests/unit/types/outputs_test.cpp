#include <catch2/catch.hpp>

#include <cmath>

#include "endpoints.h"
#include "types/internal.h"

using ssf::config::Value;
using namespace ssf::types;
using namespace ssf::types::test;

namespace {

Value parsed(std::string_view json) {
  auto v = parse_json(json);
  REQUIRE(v);
  return *v;
}

// The response body for one output of `type` whose application value is `json`.
std::string cast(DataType type, std::string_view json) {
  auto e = endpoint({}, ssf::config::ParamFormat::Json, {param("y", type)});
  AppResult result{Value::map({{"y", parsed(json)}}), {}};
  auto encoded = encode_outputs(e, result);
  if (!encoded) return "error: " + encoded.error().message();
  return encoded->body;
}

}  // namespace

TEST_CASE("outputs: config order, compact JSON", "[outputs]") {
  auto e = endpoint({}, ssf::config::ParamFormat::Json,
                    {param("requests", DataType::Integer), param("x_times_1000", DataType::Float)});
  AppResult result{parsed(R"({"x_times_1000": 0, "extra": "ignored", "requests": 1})"), {}};
  auto encoded = encode_outputs(e, result);
  REQUIRE(encoded);
  CHECK(encoded->status == 200);
  CHECK(encoded->content_type == "application/json");
  CHECK(encoded->body == R"({"requests":1,"x_times_1000":0.0})");
  CHECK(encoded->headers.empty());
}

TEST_CASE("outputs: the generated endpoint's casts", "[outputs]") {
  struct {
    DataType type;
    const char* value;
    const char* body;  // or "error: ..."
  } cases[] = {
      {DataType::String, "1.0", R"({"y":"1.0"})"},
      {DataType::String, "1e-05", R"({"y":"1e-05"})"},
      {DataType::String, "true", R"({"y":"True"})"},
      {DataType::String, "null", R"({"y":"None"})"},
      {DataType::String, R"([1, "a", null])", R"({"y":"[1, 'a', None]"})"},
      {DataType::String, R"({"k": "v"})", R"({"y":"{'k': 'v'}"})"},
      {DataType::Integer, "1.9", R"({"y":1})"},
      {DataType::Integer, "-1.9", R"({"y":-1})"},
      {DataType::Integer, R"("  12 ")", R"({"y":12})"},
      {DataType::Integer, "true", R"({"y":1})"},
      {DataType::Integer, R"("1.5")", "error: output 'y': int() of '1.5' (str) failed"},
      {DataType::Integer, "null", "error: output 'y': int() of None (NoneType) failed"},
      {DataType::Integer, "[1]", "error: output 'y': int() of [1] (list) failed"},
      {DataType::Integer, "Infinity", "error: output 'y': int() of inf (float) failed"},
      {DataType::Float, "1", R"({"y":1.0})"},
      {DataType::Float, R"("1e3")", R"({"y":1000.0})"},
      {DataType::Float, "false", R"({"y":0.0})"},
      {DataType::Float, "1e16", R"({"y":1e+16})"},
      {DataType::Float, R"("nan")",
       "error: output 'y': out of range float values are not JSON compliant"},
      {DataType::Float, R"({})", "error: output 'y': float() of {} (dict) failed"},
      {DataType::Boolean, R"("")", R"({"y":false})"},
      {DataType::Boolean, R"("False")", R"({"y":true})"},
      {DataType::Boolean, "0.0", R"({"y":false})"},
      {DataType::Boolean, "NaN", R"({"y":true})"},
      {DataType::Boolean, "[]", R"({"y":false})"},
      {DataType::Boolean, "null", R"({"y":false})"},
      {DataType::ListString, R"("ab")", R"({"y":["a","b"]})"},
      {DataType::ListString, R"({"k": 1, "j": 2})", R"({"y":["k","j"]})"},
      {DataType::ListString, R"([1, null, 1.5, "s"])", R"({"y":["1","None","1.5","s"]})"},
      {DataType::ListString, "5", "error: output 'y': list() of 5 (int) failed"},
      {DataType::ListInteger, R"(["1", 2.7, true])", R"({"y":[1,2,1]})"},
      {DataType::ListInteger, R"("12")", R"({"y":[1,2]})"},
      {DataType::ListInteger, R"(["x"])", "error: output 'y': int() of 'x' (str) failed"},
      {DataType::ListFloat, R"([1, "2"])", R"({"y":[1.0,2.0]})"},
      {DataType::ListFloat, R"([Infinity])",
       "error: output 'y': out of range float values are not JSON compliant"},
      {DataType::ListBoolean, R"([0, "", "x", [], 2])", R"({"y":[false,false,true,false,true]})"},
      {DataType::ListAny, R"("ab")", R"({"y":["a","b"]})"},
      {DataType::ListAny, R"([1, {"a": []}, null])", R"({"y":[1,{"a":[]},null]})"},
      {DataType::ListAny, R"([NaN])",
       "error: output 'y': out of range float values are not JSON compliant"},
      {DataType::ListAny, "true", "error: output 'y': list() of True (bool) failed"},
  };
  for (const auto& c : cases) {
    INFO(ssf::config::data_type_name(c.type) << " of " << c.value);
    CHECK(cast(c.type, c.value) == c.body);
  }
}

TEST_CASE("outputs: a missing output is the application's error", "[outputs]") {
  auto e = endpoint({}, ssf::config::ParamFormat::Json,
                    {param("a", DataType::String), param("b", DataType::String)});
  auto encoded = encode_outputs(e, AppResult{parsed(R"({"a": "x"})"), {}});
  REQUIRE_FALSE(encoded);
  CHECK(encoded.error().code() == ssf::ResultCode::ApplicationError);
  CHECK(encoded.error().message() == "missing output 'b'");
  CHECK_FALSE(encode_outputs(e, AppResult{parsed("[1]"), {}}));
}

TEST_CASE("outputs: zero outputs", "[outputs]") {
  auto encoded = encode_outputs(endpoint({}), AppResult{Value::map(), {}});
  REQUIRE(encoded);
  CHECK(encoded->body == "{}");
}

TEST_CASE("outputs: bytes for an output that is not an image", "[outputs]") {
  auto e = endpoint({}, ssf::config::ParamFormat::Json,
                    {param("s", DataType::String), param("l", DataType::ListInteger)});
  AppResult result{Value::map(), {{"s", "\x89PNG'"}, {"l", "\x01\xff"}}};
  auto encoded = encode_outputs(e, result);
  REQUIRE(encoded);
  CHECK(encoded->body == R"({"s":"b\"\\x89PNG'\"","l":[1,255]})");
}

TEST_CASE("outputs: a PngImageBytes output is the body, the others headers", "[outputs]") {
  auto e = endpoint({}, ssf::config::ParamFormat::Json,
                    {param("Name", DataType::String), param("image", DataType::PngImageBytes),
                     param("list", DataType::ListString), param("n", DataType::Integer)});
  std::string png("\x89PNG\r\n\x1a\n\0data", 13);
  AppResult result{parsed(R"({"Name": "caf\u00e9", "list": ["a", "b"], "n": 1.5})"),
                   {{"image", png}}};
  auto encoded = encode_outputs(e, result);
  REQUIRE(encoded);
  CHECK(encoded->status == 200);
  CHECK(encoded->content_type == "image/png");
  CHECK(encoded->body == png);
  // Starlette lowercases names and sends values as latin-1; str() is not a cast: n stays 1.5.
  using Headers = std::vector<std::pair<std::string, std::string>>;
  CHECK(encoded->headers == Headers{{"name", "caf\xe9"}, {"list", "['a', 'b']"}, {"n", "1.5"}});

  auto missing_image = encode_outputs(e, AppResult{result.outputs, {}});
  REQUIRE_FALSE(missing_image);
  CHECK(missing_image.error().message() == "missing output 'image'");

  AppResult euro{parsed(R"({"Name": "\u20ac", "list": [], "n": 1})"), {{"image", png}}};
  CHECK_FALSE(encode_outputs(e, euro));
  AppResult newline{parsed(R"({"Name": "a\r\nX-Evil: 1", "list": [], "n": 1})"), {{"image", png}}};
  CHECK_FALSE(encode_outputs(e, newline));
}
