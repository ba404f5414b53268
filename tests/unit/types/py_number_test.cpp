#include <catch2/catch.hpp>

#include <cmath>

#include "types/internal.h"

using namespace ssf::types::internal;

TEST_CASE("python_int: int(text)", "[py_number]") {
  struct {
    const char* text;
    std::optional<int64_t> value;
  } cases[] = {
      {"  12 ", 12},
      {"+7", 7},
      {"-0", 0},
      {"007", 7},
      {"1_000", 1000},
      {"\xc2\xa0"
       "12\xe3\x80\x80",
       12},  // NBSP and ideographic space are whitespace to str
      {"-9223372036854775808", INT64_MIN},
      {"9223372036854775807", INT64_MAX},
      {"9223372036854775808", std::nullopt},  // Python manages; int64 does not
      {"1__0", std::nullopt},
      {"_1", std::nullopt},
      {"1_", std::nullopt},
      {"1.0", std::nullopt},
      {"", std::nullopt},
      {" ", std::nullopt},
      {"0x10", std::nullopt},
      {"+", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(python_int(c.text) == c.value);
  }
}

TEST_CASE("python_float: float(text)", "[py_number]") {
  struct {
    const char* text;
    std::optional<double> value;
  } cases[] = {
      {"1.5", 1.5},
      {" -2e3 ", -2000.0},
      {".5", 0.5},
      {"5.", 5.0},
      {"1_0.5", 10.5},
      {"1e1_0", 1e10},
      {"+.5e-3", 0.0005},
      {"1e-400", 0.0},
      {"", std::nullopt},
      {".", std::nullopt},
      {"e5", std::nullopt},
      {"1e", std::nullopt},
      {"1_.5", std::nullopt},
      {"1._5", std::nullopt},
      {"1e+_5", std::nullopt},
      {"0x1p3", std::nullopt},
      {"infinit", std::nullopt},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    CHECK(python_float(c.text) == c.value);
  }
  CHECK(std::isinf(*python_float("1e400")));
  CHECK(*python_float("inf") > 0);
  CHECK(*python_float("-Infinity") < 0);
  CHECK(std::isnan(*python_float("nAn")));
}

TEST_CASE("python_int_of_float: int(d) truncates", "[py_number]") {
  CHECK(python_int_of_float(1.9) == 1);
  CHECK(python_int_of_float(-1.9) == -1);
  CHECK(python_int_of_float(-9223372036854775808.0) == INT64_MIN);
  CHECK_FALSE(python_int_of_float(9223372036854775808.0));
  CHECK_FALSE(python_int_of_float(NAN));
  CHECK_FALSE(python_int_of_float(INFINITY));
}

TEST_CASE("python text helpers", "[py_text]") {
  CHECK(is_utf8("a\xc3\xa9\xf0\x9f\x98\x80"));
  CHECK_FALSE(is_utf8("\xc0\xaf"));          // overlong
  CHECK_FALSE(is_utf8("\xed\xa0\x80"));      // a surrogate
  CHECK_FALSE(is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  CHECK_FALSE(is_utf8("\xe2\x82"));          // cut short
  // One U+FFFD per maximal invalid subpart, as bytes.decode("utf-8", "replace").
  CHECK(utf8_replace("a\xe2\x82"
                     "b\xff\xed\xa0\x80") ==
        "a\xef\xbf\xbd"
        "b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(latin1_to_utf8("\xe9") == "\xc3\xa9");
  CHECK(utf8_or_latin1("\xc3\xa9") == "\xc3\xa9");
  CHECK(utf8_or_latin1("\xe9") == "\xc3\xa9");
  CHECK(utf8_to_latin1("\xc3\xa9") == std::optional<std::string>("\xe9"));
  CHECK_FALSE(utf8_to_latin1("\xe2\x82\xac"));
  CHECK(python_strip(" \t\xc2\x85x y\xe2\x80\xa8\n") == "x y");
  CHECK(code_points("a\xc3\xa9") == std::vector<std::string>{"a", "\xc3\xa9"});
  CHECK(python_bytes_repr(std::string_view("a'\x00\xff\n", 5)) == R"(b"a'\x00\xff\n")");
  CHECK(python_bytes_repr("\x89PNG") == R"(b'\x89PNG')");
}
