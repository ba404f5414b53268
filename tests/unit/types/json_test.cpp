#include <catch2/catch.hpp>

#include <cmath>

#include "types/internal.h"
#include "types/types.h"

using ssf::config::Value;
using namespace ssf::types;

namespace {

std::string round_trip(std::string_view text) {
  auto v = parse_json(text);
  REQUIRE(v);
  return v->to_json();
}

std::string error_of(std::string_view text) {
  auto decoded = internal::decode_json(text);
  auto* e = std::get_if<internal::JsonDecodeError>(&decoded);
  REQUIRE(e);
  return e->message();
}

}  // namespace

TEST_CASE("parse_json: values and key order", "[json]") {
  CHECK(round_trip(R"({"b": 1, "a": [true, false, null], "c": {"z": "s", "y": 2.5}})") ==
        R"({"b":1,"a":[true,false,null],"c":{"z":"s","y":2.5}})");
  CHECK(round_trip(" [ ] ") == "[]");
  CHECK(round_trip(R"("\u00e9\ud83d\ude00\n\"\\\/")") ==
        "\"\xc3\xa9\xf0\x9f\x98\x80\\n\\\"\\\\/\"");
  // A dict keeps a repeated key at its first place, with its last value.
  CHECK(round_trip(R"({"a": 1, "b": 2, "a": 3})") == R"({"a":3,"b":2})");
}

TEST_CASE("parse_json: numbers as Python reads them", "[json]") {
  auto v = parse_json(
      "[1, -0, 1.0, 1e5, -2.5E-3, 9223372036854775807, -9223372036854775808, "
      "9223372036854775808, 1e400, NaN, Infinity, -Infinity]");
  REQUIRE(v);
  const auto& l = v->as_list();
  CHECK(l[0] == Value::integer(1));
  CHECK(l[1] == Value::integer(0));
  CHECK(l[2] == Value::floating(1.0));
  CHECK(l[3] == Value::floating(100000.0));
  CHECK(l[4] == Value::floating(-0.0025));
  CHECK(l[5] == Value::integer(INT64_MAX));
  CHECK(l[6] == Value::integer(INT64_MIN));
  CHECK(l[7] == Value::floating(9223372036854775808.0));  // beyond int64: the nearest double
  CHECK(std::isinf(l[8].as_float()));
  CHECK(std::isnan(l[9].as_float()));
  CHECK(l[10].as_float() > 0);
  CHECK(l[11].as_float() < 0);
}

TEST_CASE("parse_json: a lone surrogate becomes U+FFFD", "[json]") {
  CHECK(round_trip(R"("a\ud800b")") ==
        "\"a\xef\xbf\xbd"
        "b\"");
  CHECK(round_trip(R"("\udc00")") == "\"\xef\xbf\xbd\"");
  // A high surrogate followed by an escape that is not a low one: both stand alone.
  CHECK(round_trip(R"("\ud800\u0041")") ==
        "\"\xef\xbf\xbd"
        "A\"");
}

TEST_CASE("parse_json: errors are InternalError with Python's message", "[json]") {
  auto v = parse_json("{\"a\": }");
  REQUIRE_FALSE(v);
  CHECK(v.error().code() == ssf::ResultCode::InternalError);
  CHECK(v.error().message() == "invalid JSON: Expecting value: line 1 column 7 (char 6)");
  CHECK_FALSE(parse_json("\"\xff\""));
  CHECK_FALSE(parse_json(std::string(2000, '[')));
}

TEST_CASE("decode_json: Python's messages and positions", "[json]") {
  struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "Expecting value: line 1 column 1 (char 0)"},
      {"  ", "Expecting value: line 1 column 3 (char 2)"},
      {"nul", "Expecting value: line 1 column 1 (char 0)"},
      {"-", "Expecting value: line 1 column 1 (char 0)"},
      {"1e", "Extra data: line 1 column 2 (char 1)"},
      {"01", "Extra data: line 1 column 2 (char 1)"},
      {"[1 2]", "Expecting ',' delimiter: line 1 column 4 (char 3)"},
      {"{\"a\" 1}", "Expecting ':' delimiter: line 1 column 6 (char 5)"},
      {"{\"a\":1,}", "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)"},
      {"\"abc", "Unterminated string starting at: line 1 column 1 (char 0)"},
      {"\"ab\\", "Unterminated string starting at: line 1 column 1 (char 0)"},
      {"\"ab\\u12", "Invalid \\uXXXX escape: line 1 column 5 (char 4)"},
      {"\"\\u1234", "Invalid \\uXXXX escape: line 1 column 3 (char 2)"},
      {"\"\\x\"", "Invalid \\escape: line 1 column 2 (char 1)"},
      {"\"a\tb\"", "Invalid control character at: line 1 column 3 (char 2)"},
      {"[\n1,\n\xc3\xa9]", "Expecting value: line 3 column 1 (char 5)"},
      {"\"\xe2\x82\xac\" x", "Extra data: line 1 column 5 (char 4)"},
      {"Infinit", "Expecting value: line 1 column 1 (char 0)"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(error_of(c.text) == c.message);
  }
}
