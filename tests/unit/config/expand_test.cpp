#include <catch2/catch.hpp>

#include "config/config.h"
#include "log_capture.h"

using ssf::config::expand_all;
using ssf::config::expand_string;
using ssf::config::parse_yaml;
using ssf::config::Value;
using ssf::config::test::LogCapture;

namespace {

constexpr const char* kDict = R"(application:
  id: whisper_api
  version: 1.0
  ipus: 4
  trace: True
  empty: ""
  nothing: ~
  list: [a, 1]
endpoints:
  - id: asr
    version: 1
)";

Value dict() {
  auto parsed = parse_yaml(kDict, "t.yaml");
  REQUIRE(parsed.has_value());
  return std::move(parsed).value();
}

}  // namespace

TEST_CASE("expand_string substitutes python_str() of the referenced value") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"no symbols", "no symbols"},
      {"{{application.id}}", "whisper_api"},
      {"{{application.id}}:{{application.version}}", "whisper_api:1.0"},
      {"repo:{{application.id}}-{{application.version}}-latest", "repo:whisper_api-1.0-latest"},
      {"{{application.ipus}} ipus", "4 ipus"},
      {"{{application.trace}}", "True"},
      {"{{application.nothing}}", "None"},
      {"{{application.list}}", "['a', 1]"},
      {"{{endpoints[0].id}}/v{{endpoints[0].version}}", "asr/v1"},
      {"{{application.missing:fallback}}", "fallback"},
      {"{{application.missing:}}", ""},
      {"{{application.empty:was empty}}", "was empty"},
      {"{{application.missing:a:b}}", "a:b"},
      {"{{application.id:unused}}", "whisper_api"},
      {"{{endpoints[3].id:none}}", "none"},
      {"{{endpoints.id:not a list index}}", "not a list index"},
  };
  Value d = dict();
  LogCapture logs;
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto expanded = expand_string(c.text, d);
    REQUIRE(expanded.has_value());
    CHECK(*expanded == c.expected);
  }
  CHECK(logs.contains("application.missing not specified. Defaulting to 'fallback'"));
}

TEST_CASE("expand_string errors") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"{{application.missing}}", "application.missing not specified and there is no default"},
      {"x {{application.empty}}", "application.empty not specified and there is no default"},
      {"ok {{application.id", "failed to find closing brackets for symbol beginning at position 3"},
  };
  Value d = dict();
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto expanded = expand_string(c.text, d);
    REQUIRE_FALSE(expanded.has_value());
    CHECK(expanded.error().code() == ssf::ResultCode::ApplicationConfigError);
    CHECK(expanded.error().message() == c.error);
  }
}

TEST_CASE("expand_all expands every string, whatever the order of the fields") {
  auto parsed = parse_yaml(R"(first: "{{later.value}}!"
later:
  value: "{{application.id}}-{{application.version}}"
application:
  id: app
  version: 2
  items: ["{{application.id}}", 3, "x{{application.version}}"]
  custom: "{{application.module}}"
  module: my_app.py
)",
                           "t.yaml");
  REQUIRE(parsed.has_value());
  REQUIRE(expand_all(*parsed, "t.yaml").ok());
  CHECK(parsed->find("first")->as_string() == "app-2!");
  CHECK(parsed->find("later")->find("value")->as_string() == "app-2");
  const Value* app = parsed->find("application");
  CHECK(app->find("items")->python_str() == "['app', 3, 'x2']");
  CHECK(app->find("custom")->as_string() == "my_app.py");
  // Positions survive expansion.
  CHECK(app->find("custom")->mark().line == 8);
}

TEST_CASE("expand_all errors name the position and the field") {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"a:\n  b: \"{{nope}}\"\n", "t.yaml:2:6: a.b: nope not specified and there is no default"},
      {"a:\n  - x\n  - \"{{nope.deeper}}\"\n",
       "t.yaml:3:5: a[1]: nope.deeper not specified and there is no default"},
      {"a: \"{{a}}\"\n",
       "t.yaml:1:4: a: too many substitutions expanding '{{a}}' (does a field refer to itself?)"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    auto parsed = parse_yaml(c.yaml, "t.yaml");
    REQUIRE(parsed.has_value());
    auto status = expand_all(*parsed, "t.yaml");
    REQUIRE_FALSE(status.ok());
    CHECK(status.error().code() == ssf::ResultCode::ApplicationConfigError);
    CHECK(status.error().message() == c.error);
  }
}

TEST_CASE("modify_config values are expanded afterwards") {
  auto parsed = parse_yaml("application:\n  module: modify_config.py\n", "t.yaml");
  REQUIRE(parsed.has_value());
  LogCapture logs;
  REQUIRE(ssf::config::modify_config(*parsed, "application.custom={{application.module}}").ok());
  REQUIRE(expand_all(*parsed, "t.yaml").ok());
  CHECK(parsed->find("application")->find("custom")->as_string() == "modify_config.py");
}
