// build_config's errors, word for word, and the warnings it shares with upstream.

#include <catch2/catch.hpp>

#include "config/config.h"
#include "log_capture.h"

using namespace ssf::config;
using ssf::config::test::LogCapture;

namespace {

ssf::Result<Config> build_text(const std::string& yaml) {
  auto dict = parse_yaml(yaml, "ssf_config.yaml");
  REQUIRE(dict.has_value());
  REQUIRE(expand_all(*dict, "ssf_config.yaml").ok());
  return build_config(std::move(*dict), "ssf_config.yaml", {});
}

// A valid config with `endpoint` as its only endpoint's body.
std::string with_endpoint(const std::string& endpoint) {
  return "application:\n  id: app\n  module: app.py\nendpoints:\n  - id: e\n" + endpoint;
}

}  // namespace

TEST_CASE("build_config errors name file, position and field") {
  struct Case {
    std::string yaml;
    std::string error;
  };
  const std::string kTypes =
      "(expected one of String, Integer, Float, Boolean, ListString, ListInteger, ListFloat, "
      "ListBoolean, ListAny, TempFile, PngImageBytes)";
  const Case cases[] = {
      {"- a\n- b\n", "ssf_config.yaml:1:1: expected a map at the top level, found list"},
      {"", "ssf_config.yaml: expected a map at the top level, found null"},
      {"endpoints: []\n",
       "ssf_config.yaml:1:1: application: required field 'application' not found in config "
       "YAML file"},
      {"application: 5\nendpoints: []\n",
       "ssf_config.yaml:1:14: application: expected map, found int"},
      {"application:\n  id: app\nendpoints: []\n",
       "ssf_config.yaml:2:3: application.module: required field 'module' not found in config "
       "YAML file"},
      {"application:\n  id: app\n  module: app.py\n",
       "ssf_config.yaml:1:1: endpoints: required field 'endpoints' not found in config YAML "
       "file"},
      {"application:\n  id: app\n  module: app.py\nendpoints: {a: 1}\n",
       "ssf_config.yaml:4:12: endpoints: expected list, found map"},
      {"application:\n  id: app\n  module: app.py\nendpoints: [5]\n",
       "ssf_config.yaml:4:13: endpoints[0]: expected map, found int"},
      {"application:\n  id: my app\n  module: app.py\nendpoints: []\n",
       "ssf_config.yaml:2:7: application.id: 'my app' should not contain spaces"},
      {"application:\n  module: [a]\nendpoints: []\n",
       "ssf_config.yaml:2:11: application.module: expected string, found list"},
      {"application:\n  module: app.py\n  ipus: four\nendpoints: []\n",
       "ssf_config.yaml:3:9: application.ipus: expected int, found string 'four'"},
      {"application:\n  module: app.py\n  ipus: 1.5\nendpoints: []\n",
       "ssf_config.yaml:3:9: application.ipus: expected int, found float"},
      {"application:\n  module: app.py\n  ipus: true\nendpoints: []\n",
       "ssf_config.yaml:3:9: application.ipus: expected int, found bool"},
      {"application:\n  module: app.py\n  max_batch_size: 99999999999\nendpoints: []\n",
       "ssf_config.yaml:3:19: application.max_batch_size: 99999999999 is out of range"},
      {"application:\n  module: app.py\n  trace: maybe\nendpoints: []\n",
       "ssf_config.yaml:3:10: application.trace: expected bool, found string 'maybe'"},
      {"application:\n  module: app.py\n  artifacts: exe_cache/*\nendpoints: []\n",
       "ssf_config.yaml:3:14: application.artifacts: expected list, found string 'exe_cache/*'"},
      {"application:\n  module: app.py\n  package:\n    inclusions: x\nendpoints: []\n",
       "ssf_config.yaml:4:17: application.package.inclusions: expected list, found string 'x'"},
      {"application:\n  module: app.py\n  package:\n    exclusions: [[a]]\nendpoints: []\n",
       "ssf_config.yaml:4:18: application.package.exclusions[0]: expected string, found list"},
      {"application:\n  module: app.py\n  package: [a]\nendpoints: []\n",
       "ssf_config.yaml:3:12: application.package: expected map, found list"},
      {"application:\n  module: app.py\n  package:\n    docker: x\nendpoints: []\n",
       "ssf_config.yaml:4:13: application.package.docker: expected map, found string 'x'"},
      {"application:\n  module: app.py\n  dependencies: requests\nendpoints: []\n",
       "ssf_config.yaml:3:17: application.dependencies: expected map, found string 'requests'"},
      {"application:\n  module: app.py\n  dependencies:\n    poplar_wheels: poptorch\n"
       "endpoints: []\n",
       "ssf_config.yaml:4:20: application.dependencies.poplar_wheels: requires "
       "application.dependencies.poplar to be set"},
      {"application:\n  module: app.py\n  dependencies:\n    poplar_location: /opt/sdk\n"
       "endpoints: []\n",
       "ssf_config.yaml:4:22: application.dependencies.poplar_location: requires "
       "application.dependencies.poplar to be set"},
      {with_endpoint("    inputs:\n      - id: x\n        type: Integr\n    outputs: []\n"),
       "ssf_config.yaml:8:15: endpoints[0].inputs[0].type: unknown type 'Integr' " + kTypes},
      {with_endpoint("    inputs:\n      - {id: x, type: String}\n      - {id: y, type: Integr}\n"
                     "    outputs: []\n"),
       "ssf_config.yaml:8:23: endpoints[0].inputs[1].type: unknown type 'Integr' " + kTypes},
      {with_endpoint("    inputs:\n      - id: x\n        desc: no type\n    outputs: []\n"),
       "ssf_config.yaml:7:9: endpoints[0].inputs[0].type: required field 'type' not found in "
       "config YAML file"},
      {with_endpoint("    inputs:\n      - {id: x, type: 5}\n    outputs: []\n"),
       "ssf_config.yaml:7:23: endpoints[0].inputs[0].type: expected string, found int"},
      {with_endpoint("    inputs: []\n    outputs:\n      - {id: f, type: TempFile}\n"),
       "ssf_config.yaml:8:23: endpoints[0].outputs[0].type: TempFile can only be used for inputs"},
      {with_endpoint("    inputs:\n      - {id: i, type: PngImageBytes}\n    outputs: []\n"),
       "ssf_config.yaml:7:23: endpoints[0].inputs[0].type: PngImageBytes can only be used for "
       "outputs"},
      {with_endpoint("    inputs: []\n    outputs:\n      - {id: a, type: PngImageBytes}\n"
                     "      - {id: b, type: String}\n      - {id: c, type: PngImageBytes}\n"),
       "ssf_config.yaml:10:23: endpoints[0].outputs[2].type: only one PngImageBytes output is "
       "allowed per endpoint"},
      {with_endpoint("    inputs: x\n    outputs: []\n"),
       "ssf_config.yaml:6:13: endpoints[0].inputs: expected list, found string 'x'"},
      {with_endpoint("    inputs: [x]\n    outputs: []\n"),
       "ssf_config.yaml:6:14: endpoints[0].inputs[0]: expected map, found string 'x'"},
      {with_endpoint("    inputs:\n      - {id: my x, type: String}\n    outputs: []\n"),
       "ssf_config.yaml:7:14: endpoints[0].inputs[0].id: 'my x' should not contain spaces"},
      {"application:\n  module: app.py\nendpoints:\n  - id: my endpoint\n",
       "ssf_config.yaml:4:9: endpoints[0].id: 'my endpoint' should not contain spaces"},
      {"application:\n  module: app.py\nendpoints:\n  - {id: a, inputs: [], outputs: []}\n"
       "  - {id: a, version: 2, inputs: [], outputs: []}\n"
       "  - {id: a, version: 1, inputs: [], outputs: []}\n",
       "ssf_config.yaml:6:5: endpoints[2]: duplicate endpoint /v1/a (id 'a', version '1' already "
       "used by endpoints[0])"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    LogCapture logs;
    auto config = build_text(c.yaml);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().code() == ssf::ResultCode::ApplicationConfigError);
    CHECK(config.error().message() == c.error);
  }
}

TEST_CASE("build_config warns where upstream warns") {
  struct Case {
    std::string yaml;
    std::string warning;
  };
  const Case cases[] = {
      {"application:\n  module: missing.py\nendpoints: []\n",
       "Application file not found relative to config - using specified module path."},
      {"application:\n  module: app.py\n  dependencies:\n    apt: curl\nendpoints: []\n",
       "Only python, poplar, poplar_wheels and poplar_location dependencies are supported. "
       "Other packages will not be installed."},
      {with_endpoint("    http_param_format: form\n    inputs: []\n    outputs: []\n"),
       "form not an allowed input format. Must be one of ['json', 'query'], defaulting to "
       "'json'."},
      {with_endpoint("    outputs: []\n"), "No inputs specified for endpoint: 0."},
      {with_endpoint("    inputs: ~\n    outputs: []\n"), "No inputs specified for endpoint: 0."},
      {with_endpoint("    inputs: []\n"), "No outputs specified for endpoint: 0."},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml);
    LogCapture logs;
    auto config = build_text(c.yaml);
    if (!config) FAIL(config.error().message());
    CHECK(logs.contains(c.warning));
  }
}

TEST_CASE("a missing inputs or outputs list is empty") {
  LogCapture logs;
  auto config = build_text(with_endpoint("    desc: nothing in or out\n"));
  if (!config) FAIL(config.error().message());
  CHECK(config->endpoints[0].inputs.empty());
  CHECK(config->endpoints[0].outputs.empty());
}

TEST_CASE("an invalid http_param_format falls back to json, and TempFile forces query") {
  struct Case {
    std::string endpoint;
    ParamFormat format;
  };
  const Case cases[] = {
      {"    http_param_format: form\n    inputs: []\n    outputs: []\n", ParamFormat::Json},
      {"    http_param_format: Query\n    inputs: []\n    outputs: []\n", ParamFormat::Json},
      {"    http_param_format: query\n    inputs: []\n    outputs: []\n", ParamFormat::Query},
      {"    http_param_format: json\n    inputs: [{type: TempFile}, {type: Integer}]\n"
       "    outputs: []\n",
       ParamFormat::Query},
      {"    inputs: [{type: String}]\n    outputs: []\n", ParamFormat::Json},
  };
  for (const auto& c : cases) {
    CAPTURE(c.endpoint);
    LogCapture logs;
    auto config = build_text(with_endpoint(c.endpoint));
    if (!config) FAIL(config.error().message());
    CHECK(config->endpoints[0].param_format == c.format);
  }
}
