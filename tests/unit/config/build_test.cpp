#include <catch2/catch.hpp>

#include <filesystem>

#include "config/config.h"
#include "log_capture.h"

namespace fs = std::filesystem;
using namespace ssf::config;
using ssf::config::test::LogCapture;

namespace {

const std::string kConfigs = SSF_SHARED_DIR "/reference/configs/";

// Parses, expands and builds `yaml` as the file "ssf_config.yaml" in the working directory.
ssf::Result<Config> build_text(const std::string& yaml, LoadOptions options = {}) {
  auto dict = parse_yaml(yaml, "ssf_config.yaml");
  REQUIRE(dict.has_value());
  REQUIRE(expand_all(*dict, "ssf_config.yaml").ok());
  return build_config(std::move(*dict), "ssf_config.yaml", options);
}

Config build_ok(const std::string& yaml, LoadOptions options = {}) {
  auto config = build_text(yaml, options);
  if (!config) FAIL(config.error().message());
  return std::move(config).value();
}

}  // namespace

TEST_CASE("every reference config loads") {
  const char* files[] = {
      "mnist/mnist_config.yaml",        "simple/ssf_config.yaml",
      "simple_batched/ssf_config.yaml", "types/ssf_config.yaml",
      "types/ssf_config_batched.yaml",  "types/ssf_config_grpc.yaml",
      "walkthrough/ssf_config.yaml",    "whisper/ssf_config.yaml",
  };
  for (const char* file : files) {
    CAPTURE(file);
    LogCapture logs;
    auto config = load_config(kConfigs + file, {});
    if (!config) FAIL(config.error().message());
    CHECK_FALSE(config->endpoints.empty());
    CHECK(check_ssf_version(*config).ok());
    CHECK(config->ssf_version == "1.0.0");
    // The modules are not shipped with the test data.
    CHECK(logs.contains(
        "Application file not found relative to config - using specified module path."));
  }
}

TEST_CASE("the G-Core Whisper config resolves as SSF 1.2.0 resolves it") {
  LoadOptions options;
  options.cwd = "/work/run";
  LogCapture logs;
  auto loaded = load_config(kConfigs + "whisper/ssf_config.yaml", options);
  if (!loaded) FAIL(loaded.error().message());
  const Config& c = *loaded;
  const Application& a = c.application;
  fs::path dir = fs::absolute(kConfigs + "whisper").lexically_normal();
  CHECK(c.file == dir / "ssf_config.yaml");
  CHECK(a.id == "whisper_api");
  CHECK(a.name == "Whisper API");
  CHECK(a.desc == "Whisper (ASR) API");
  CHECK(a.version == "1.0");
  CHECK(a.license_name == "Aapache-2.0");
  CHECK_FALSE(a.license_url.has_value());
  CHECK_FALSE(a.terms_of_service.has_value());
  CHECK(a.module == "whisper_ssf_app.py");
  CHECK(a.ipus == 4);
  CHECK(a.trace);
  CHECK(a.artifacts == std::vector<std::string>{"weights.onnx", "./model_cache"});
  CHECK(a.max_batch_size == 1);
  CHECK(a.startup_timeout == 3000);
  CHECK(a.dir == dir);
  CHECK(a.venv_dir == "/work/run/ssf-whisper_api-venv");
  CHECK(a.dependencies.python == "requirements.txt");
  CHECK(a.dependencies.requirements == std::vector<fs::path>{dir / "requirements.txt"});
  CHECK(a.dependencies.pip_specs.empty());
  CHECK(a.dependencies.poplar == std::vector<std::string>{"3.3.0"});
  CHECK(a.package.name == "whisper_api.1.0.tar.gz");
  CHECK(a.package.tag == "whisper_api:1.0");
  // `package.baseimage` is not upstream's key (`package.docker.baseimage` is).
  CHECK(a.package.baseimage == "graphcore/pytorch:3.3.0-ubuntu-20.04-20230703");
  CHECK(logs.contains("application.package.baseimage is not a recognised field"));
  CHECK(a.package.inclusions == std::vector<std::string>{"./exe_cache/*",
                                                         "./whisper-small_gpu_83k-iters",
                                                         "./start/*", "news.mp3"});
  CHECK(a.package.exclusions.empty());

  REQUIRE(c.endpoints.size() == 1);
  const Endpoint& e = c.endpoints[0];
  CHECK(e.route() == "/v1/asr");
  CHECK(e.desc == "Simple application interface for Whisper");
  CHECK_FALSE(e.custom.has_value());
  CHECK(e.param_format == ParamFormat::Query);
  REQUIRE(e.inputs.size() == 1);
  CHECK(e.inputs[0].id == "file");
  CHECK(e.inputs[0].type == DataType::TempFile);
  CHECK(e.inputs[0].desc == "Audio description text prompt");
  REQUIRE(e.outputs.size() == 1);
  CHECK(e.outputs[0].id == "result");
  CHECK(e.outputs[0].type == DataType::String);
  CHECK(c.dict.find("application")->find("version")->python_str() == "1.0");
}

TEST_CASE("the simple example: routes, formats and examples") {
  LogCapture logs;
  auto loaded = load_config(kConfigs + "simple/ssf_config.yaml", {});
  if (!loaded) FAIL(loaded.error().message());
  const auto& endpoints = loaded->endpoints;
  REQUIRE(endpoints.size() == 3);
  CHECK(endpoints[0].route() == "/v1/Test1");
  CHECK(endpoints[1].route() == "/v2/Test1");
  CHECK(endpoints[2].route() == "/v1/TestQuery");
  CHECK(endpoints[0].param_format == ParamFormat::Json);
  CHECK(endpoints[2].param_format == ParamFormat::Query);
  REQUIRE(endpoints[0].inputs[0].example.has_value());
  CHECK(*endpoints[0].inputs[0].example == Value::integer(101));
  CHECK_FALSE(endpoints[1].inputs[0].example.has_value());
  CHECK(loaded->application.dependencies.pip_specs == std::vector<std::string>{"requests"});
  CHECK(loaded->application.ipus == 0);
}

TEST_CASE("defaults are upstream's") {
  LoadOptions options;
  options.cwd = "/srv";
  LogCapture logs;
  Config c = build_ok(R"(application:
  module: app.py
endpoints:
  - inputs: [{type: String}]
    outputs: [{type: Float}]
)",
                      options);
  CHECK(c.ssf_version == "0.0.1");
  CHECK_FALSE(c.self_package);
  const Application& a = c.application;
  CHECK(a.id == "untitled");
  CHECK(a.name == "untitled API");
  CHECK(a.desc == " ");
  CHECK(a.version == "1.0");
  CHECK(a.ipus == 1);
  CHECK(a.max_batch_size == 1);
  CHECK(a.startup_timeout == 600);
  CHECK(a.trace);
  CHECK(a.artifacts.empty());
  CHECK(a.syspaths.empty());
  CHECK_FALSE(a.dependencies.python.has_value());
  CHECK_FALSE(a.dependencies.poplar.has_value());
  CHECK(a.package.name == "untitled.1.0.tar.gz");
  CHECK(a.package.tag == "untitled:1.0");
  CHECK(a.package.baseimage == kPackageDefaultBaseImage);
  CHECK(a.package.docker_run.empty());
  CHECK(a.venv_dir == "/srv/ssf-untitled-venv");
  CHECK(a.module == "app.py");
  CHECK(a.dir == fs::current_path());
  const Endpoint& e = c.endpoints.at(0);
  CHECK(e.id == "endpoint_0");
  CHECK(e.version == "1");
  CHECK(e.desc == " ");
  CHECK(e.param_format == ParamFormat::Json);
  CHECK(e.inputs.at(0).id == "input_0");
  CHECK(e.inputs.at(0).desc == "Endpoint inputs 0");
  CHECK(e.outputs.at(0).id == "input_0");
  CHECK(e.outputs.at(0).desc == "Endpoint outputs 0");
}

TEST_CASE("versions are Python's str() of the YAML value") {
  struct Case {
    const char* yaml_version;
    const char* version;
    const char* tag;
  };
  const Case cases[] = {
      {"1.0", "1.0", "app:1.0"},       {"1", "1", "app:1"},
      {"2.10", "2.1", "app:2.1"},      {"\"2.10\"", "2.10", "app:2.10"},
      {"1.2.3", "1.2.3", "app:1.2.3"}, {"~", "1.0", "app:1.0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.yaml_version);
    LogCapture logs;
    Config config =
        build_ok(std::string("ssf_version: 1.0\napplication:\n  id: app\n  version: ") +
                 c.yaml_version + "\n  module: app.py\nendpoints:\n  - id: e\n" +
                 "    version: " + c.yaml_version + "\n    inputs: []\n" + "    outputs: []\n");
    CHECK(config.ssf_version == "1.0");
    CHECK(config.application.version == c.version);
    CHECK(config.application.package.tag == c.tag);
    CHECK(config.application.package.name == std::string(c.tag).replace(3, 1, ".") + ".tar.gz");
  }
}

TEST_CASE("upstream's code-generation bugs are not config errors in gc-ssf") {
  LogCapture logs;
  Config c = build_ok(R"(application:
  id: my-app
  module: app.py
endpoints:
  - id: my-endpoint
    version: 1.0
    inputs: []
    outputs: []
  - id: q
    http_param_format: query
    inputs: []
    outputs: [{id: y, type: Integer}]
)");
  CHECK(c.endpoints[0].route() == "/v1.0/my-endpoint");
  CHECK(c.endpoints[0].inputs.empty());
  CHECK(c.endpoints[1].param_format == ParamFormat::Query);
}
