#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "config/config.h"

using ssf::config::Mark;
using ssf::config::Value;

namespace {

Value list(Value::List items) { return Value::list(std::move(items)); }

}  // namespace

TEST_CASE("python_str prints floats as Python's repr") {
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    double value;
    const char* expected;
  };
  const Case cases[] = {
      {1.0, "1.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {2.5, "2.5"},
      {-3.25, "-3.25"},
      {123456.789, "123456.789"},
      {1e15, "1000000000000000.0"},
      {9999999999999998.0, "9999999999999998.0"},
      {1e16, "1e+16"},
      {1.5e16, "1.5e+16"},
      {1e22, "1e+22"},
      {2.5e300, "2.5e+300"},
      {0.0001, "0.0001"},
      {0.00015, "0.00015"},
      {1e-5, "1e-05"},
      {1.5e-7, "1.5e-07"},
      {5e-324, "5e-324"},
      {inf, "inf"},
      {-inf, "-inf"},
      {std::nan(""), "nan"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expected);
    CHECK(Value::floating(c.value).python_str() == c.expected);
  }
}

TEST_CASE("python_str prints scalars as Python's str") {
  CHECK(Value().python_str() == "None");
  CHECK(Value::boolean(true).python_str() == "True");
  CHECK(Value::boolean(false).python_str() == "False");
  CHECK(Value::integer(-42).python_str() == "-42");
  CHECK(Value::integer(INT64_MIN).python_str() == "-9223372036854775808");
  CHECK(Value::string("it's plain").python_str() == "it's plain");
  CHECK(Value::string("").python_str() == "");
}

TEST_CASE("python_str prints containers as Python's repr") {
  struct Case {
    Value value;
    const char* expected;
  };
  Value map = Value::map();
  map.set("k", Value::string("v"));
  map.set("n", Value::integer(1));
  map.set("f", Value::floating(2.0));
  map.set("none", Value());
  const Case cases[] = {
      {list({}), "[]"},
      {Value::map(), "{}"},
      {list({Value::string("X"), Value::string("Y"), Value::string("Z"), Value(),
             Value::string("B")}),
       "['X', 'Y', 'Z', None, 'B']"},
      {list({Value::string("a"), Value::integer(1), Value::floating(1.5), Value::boolean(false)}),
       "['a', 1, 1.5, False]"},
      {map, "{'k': 'v', 'n': 1, 'f': 2.0, 'none': None}"},
      {list({list({Value::string("nested")}), Value::map()}), "[['nested'], {}]"},
      {list({Value::string("it's")}), "[\"it's\"]"},
      {list({Value::string("both ' and \"")}), "['both \\' and \"']"},
      {list({Value::string("back\\slash")}), "['back\\\\slash']"},
      {list({Value::string("line\nbreak\ttab\r\x01")}), "['line\\nbreak\\ttab\\r\\x01']"},
      {list({Value::string("caf\xc3\xa9")}), "['caf\xc3\xa9']"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.expected);
    CHECK(c.value.python_str() == c.expected);
  }
}

TEST_CASE("to_json is compact and keeps floats floats") {
  Value map = Value::map();
  map.set("a", list({Value::integer(1), Value::floating(2.0), Value::floating(0.5),
                     Value::string("x"), Value(), Value::boolean(true)}));
  map.set("q\"uote", Value::string("line\nnext\x01"));
  map.set("empty", Value::map());
  CHECK(map.to_json() ==
        R"({"a":[1,2.0,0.5,"x",null,true],"q\"uote":"line\nnext\u0001","empty":{}})");

  CHECK(Value::floating(1e16).to_json() == "1e+16");
  CHECK(Value::floating(1e-5).to_json() == "1e-05");
  CHECK(Value::floating(std::numeric_limits<double>::infinity()).to_json() == "Infinity");
  CHECK(Value::floating(-std::numeric_limits<double>::infinity()).to_json() == "-Infinity");
  CHECK(Value::floating(std::nan("")).to_json() == "NaN");
  CHECK(Value::boolean(false).to_json() == "false");
  CHECK(Value().to_json() == "null");
}

TEST_CASE("operator== compares data, not positions") {
  CHECK(Value::integer(1, Mark{1, 1}) == Value::integer(1, Mark{5, 3}));
  CHECK_FALSE(Value::integer(1) == Value::floating(1.0));
  CHECK_FALSE(Value::integer(1) == Value::boolean(true));
  CHECK(list({Value::string("a")}) == list({Value::string("a")}));
  CHECK_FALSE(list({Value::string("a")}) == list({Value::string("b")}));
  Value a = Value::map();
  a.set("x", Value::integer(1));
  a.set("y", Value::integer(2));
  Value b = Value::map();
  b.set("y", Value::integer(2));
  b.set("x", Value::integer(1));
  // Keys keep file order, and the order is part of the value.
  CHECK_FALSE(a == b);
  CHECK(Value() == Value());
}

TEST_CASE("set replaces in place and appends new keys, as a Python dict") {
  Value map = Value::map();
  map.set("a", Value::integer(1));
  map.set("b", Value::integer(2));
  map.set("a", Value::integer(3));
  CHECK(map.python_str() == "{'a': 3, 'b': 2}");
  REQUIRE(map.find("b") != nullptr);
  CHECK(map.find("b")->as_int() == 2);
  CHECK(map.find("missing") == nullptr);
  CHECK(Value::integer(1).find("a") == nullptr);
}

TEST_CASE("kinds, marks and names") {
  Value v = Value::string("s", Mark{3, 7});
  CHECK(v.kind() == Value::Kind::String);
  CHECK(v.mark().line == 3);
  CHECK(v.mark().column == 7);
  CHECK(v.is_scalar());
  CHECK_FALSE(list({}).is_scalar());
  CHECK(Value().is_null());
  CHECK(ssf::config::kind_name(Value::Kind::Map) == "map");
  CHECK(ssf::config::kind_name(Value::Kind::Int) == "int");
  CHECK(ssf::config::kind_name(Value::Kind::String) == "string");
}
