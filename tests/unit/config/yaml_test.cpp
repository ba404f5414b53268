#include <catch2/catch.hpp>

#include "config/config.h"

using ssf::config::parse_yaml;
using ssf::config::Value;

namespace {

// The value of `v: <text>`.
Value scalar(const std::string& text) {
  auto parsed = parse_yaml("v: " + text + "\n", "t.yaml");
  REQUIRE(parsed.has_value());
  const Value* v = parsed->find("v");
  REQUIRE(v != nullptr);
  return *v;
}

std::string error_of(std::string_view text) {
  auto parsed = parse_yaml(text, "t.yaml");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code() == ssf::ResultCode::ApplicationConfigError);
  return parsed.error().message();
}

}  // namespace

TEST_CASE("plain scalars resolve as PyYAML's SafeLoader (YAML 1.1)") {
  using K = Value::Kind;
  struct Case {
    const char* text;
    K kind;
    const char* python;
  };
  const Case cases[] = {
      // bool
      {"yes", K::Bool, "True"},
      {"Yes", K::Bool, "True"},
      {"YES", K::Bool, "True"},
      {"no", K::Bool, "False"},
      {"NO", K::Bool, "False"},
      {"true", K::Bool, "True"},
      {"True", K::Bool, "True"},
      {"TRUE", K::Bool, "True"},
      {"false", K::Bool, "False"},
      {"on", K::Bool, "True"},
      {"On", K::Bool, "True"},
      {"OFF", K::Bool, "False"},
      {"off", K::Bool, "False"},
      {"yEs", K::String, "yEs"},
      {"y", K::String, "y"},
      {"tRUE", K::String, "tRUE"},
      // int
      {"0", K::Int, "0"},
      {"42", K::Int, "42"},
      {"-17", K::Int, "-17"},
      {"+5", K::Int, "5"},
      {"1_000", K::Int, "1000"},
      {"0x1F", K::Int, "31"},
      {"0x_ff", K::Int, "255"},
      {"017", K::Int, "15"},
      {"-010", K::Int, "-8"},
      {"0b101", K::Int, "5"},
      {"190:20:30", K::Int, "685230"},
      {"09", K::String, "09"},
      {"0o17", K::String, "0o17"},
      {"1e5", K::String, "1e5"},
      {"0x", K::String, "0x"},
      // float
      {"1.0", K::Float, "1.0"},
      {"1.", K::Float, "1.0"},
      {"-2.5", K::Float, "-2.5"},
      {".5", K::Float, "0.5"},
      {"1_000.5", K::Float, "1000.5"},
      {"1.0e+5", K::Float, "100000.0"},
      {"1.5E-3", K::Float, "0.0015"},
      {"6.8523015e+5", K::Float, "685230.15"},
      {"190:20:30.15", K::Float, "685230.15"},
      {".inf", K::Float, "inf"},
      {"-.Inf", K::Float, "-inf"},
      {"+.INF", K::Float, "inf"},
      {".nan", K::Float, "nan"},
      {".NaN", K::Float, "nan"},
      {"1.0e5", K::String, "1.0e5"},
      {"-.5", K::String, "-.5"},
      {"-.nan", K::String, "-.nan"},
      {"1.0.0", K::String, "1.0.0"},
      // null
      {"~", K::Null, "None"},
      {"null", K::Null, "None"},
      {"Null", K::Null, "None"},
      {"NULL", K::Null, "None"},
      {"", K::Null, "None"},
      {"nULL", K::String, "nULL"},
      // strings
      {"hello world", K::String, "hello world"},
      {"2001-12-14", K::String, "2001-12-14"},
      // quoted and tagged
      {"\"1.0\"", K::String, "1.0"},
      {"'true'", K::String, "true"},
      {"\"~\"", K::String, "~"},
      {"''", K::String, ""},
      {"!!str 5", K::String, "5"},
      {"!!int \"12\"", K::Int, "12"},
      {"!!float \"1\"", K::Float, "1.0"},
      {"!!bool \"yes\"", K::Bool, "True"},
      {"!!null \"\"", K::Null, "None"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    Value v = scalar(c.text);
    CHECK(v.kind() == c.kind);
    CHECK(v.python_str() == c.python);
  }
}

TEST_CASE("block scalars are strings") {
  auto parsed = parse_yaml("run: |\n  RUN apt-get update\n  RUN true\nfolded: >\n  a\n  b\n", "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->find("run")->as_string() == "RUN apt-get update\nRUN true\n");
  CHECK(parsed->find("folded")->as_string() == "a b\n");
}

TEST_CASE("nodes carry 1-based positions") {
  auto parsed = parse_yaml(R"(application:
  id: x
  list: [a, "b"]
  empty:
endpoints:
  - id: e
)",
                           "t.yaml");
  REQUIRE(parsed.has_value());
  const Value& root = *parsed;
  CHECK(root.mark().line == 1);
  CHECK(root.mark().column == 1);
  const Value* app = root.find("application");
  REQUIRE(app);
  CHECK(app->mark().line == 2);
  CHECK(app->mark().column == 3);
  const Value* id = app->find("id");
  CHECK(id->mark().line == 2);
  CHECK(id->mark().column == 7);
  const auto& items = app->find("list")->as_list();
  CHECK(items[1].mark().line == 3);
  CHECK(items[1].mark().column == 13);
  // An empty value is placed at its key, not at the next line.
  CHECK(app->find("empty")->mark().line == 4);
  CHECK(app->find("empty")->mark().column == 3);
  const auto& endpoints = root.find("endpoints")->as_list();
  CHECK(endpoints[0].mark().line == 6);
  CHECK(endpoints[0].mark().column == 5);
}

TEST_CASE("maps keep file order, and a duplicate key takes the last value, first position") {
  auto parsed = parse_yaml("b: 1\na: 2\nb: 3\n", "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->python_str() == "{'b': 3, 'a': 2}");
}

TEST_CASE("non-string keys are printed as Python would") {
  auto parsed = parse_yaml("1: a\non: b\n~: c\n1.5: d\n", "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->python_str() == "{'1': 'a', 'True': 'b', 'None': 'c', '1.5': 'd'}");
}

TEST_CASE("merge keys as PyYAML") {
  auto parsed = parse_yaml(R"(base: &base {x: 1, y: 2}
other: &other {y: 20, z: 30}
one:
  <<: *base
  y: 3
many:
  <<: [*base, *other]
  w: 0
)",
                           "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->find("one")->python_str() == "{'x': 1, 'y': 3}");
  CHECK(parsed->find("many")->python_str() == "{'y': 2, 'z': 30, 'x': 1, 'w': 0}");
}

TEST_CASE("anchors and aliases copy the node") {
  auto parsed = parse_yaml("a: &v [1, 2]\nb: *v\n", "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->python_str() == "{'a': [1, 2], 'b': [1, 2]}");
}

TEST_CASE("empty text is null") {
  auto parsed = parse_yaml("", "t");
  REQUIRE(parsed.has_value());
  CHECK(parsed->is_null());
  auto comment = parse_yaml("# nothing\n", "t");
  REQUIRE(comment.has_value());
  CHECK(comment->is_null());
}

TEST_CASE("errors name the file, line and column") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"a: [1\n", "t.yaml:2:1: end of sequence flow not found"},
      {"a: b: c\n", "t.yaml:1:5: illegal map value"},
      {"a: 1\n---\nb: 2\n", "t.yaml:3:1: expected a single document in the stream"},
      {"a: !foo x\n", "t.yaml:1:4: could not determine a constructor for the tag '!foo'"},
      {"? [1]\n: 2\n", "t.yaml:1:3: found unhashable key"},
      {"a: !!int abc\n", "t.yaml:1:4: invalid or out-of-range integer 'abc'"},
      {"a: 99999999999999999999\n",
       "t.yaml:1:4: invalid or out-of-range integer '99999999999999999999'"},
      {"a: !!bool maybe\n", "t.yaml:1:4: invalid boolean 'maybe'"},
      {"a:\n  <<: 5\n", "t.yaml:2:3: expected a mapping or list of mappings for merging"},
      {"a: \"x\" y\n", "t.yaml:1:8: end of map not found"},
      {"a: &x 1\nb: *y\n", "t.yaml:2:4: the referenced anchor is not defined"},
      {"a: [1, 2]]\n", "t.yaml:1:10: illegal flow end"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(error_of(c.text) == c.expected);
  }
}

TEST_CASE("alias expansion is bounded") {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string previous = "a";
  for (char name = 'b'; name <= 'h'; ++name) {
    text += std::string(1, name) + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + previous;
    text += "]\n";
    previous = std::string(1, name);
  }
  std::string message = error_of(text);
  CHECK(message.find("document too large or too deeply nested") != std::string::npos);
}
