// load_config end to end on files, the ssf_version check and the self-package config.

#include <catch2/catch.hpp>

#include <filesystem>

#include "config/config.h"
#include "log_capture.h"

namespace fs = std::filesystem;
using namespace ssf::config;
using ssf::config::test::LogCapture;

namespace {

struct Project {
  ssf::TempDir dir = ssf::TempDir::create("gc-ssf-load-test-").value();

  fs::path write(const std::string& name, std::string_view text) const {
    fs::path path = dir.path() / name;
    fs::create_directories(path.parent_path());
    REQUIRE(ssf::write_file_atomic(path, text).ok());
    return path;
  }
};

constexpr const char* kApp = R"(ssf_version: 1.2.0
application:
  id: app
  version: 3
  module: src/app.py
  syspaths: [lib, ../shared]
  dependencies:
    python: requirements.txt, numpy==1.23.5 , --find-links https://x/y torch==2.0.1+cpu, extra/dev.txt,
    poplar: "3.3.0"
    poplar_wheels: poptorch, tensorflow
    poplar_location: /opt/sdk
  package:
    name: "{{application.id}}-bundle.tar.gz"
    docker:
      baseimage: from/config:1
      run: |
        RUN echo hello
endpoints:
  - id: e
    inputs: []
    outputs: []
)";

}  // namespace

TEST_CASE("load_config resolves paths relative to the config file") {
  Project p;
  fs::path config_file = p.write("ssf_config.yaml", kApp);
  p.write("src/app.py", "");
  LogCapture logs;
  LoadOptions options;
  options.cwd = "/cwd";
  auto loaded = load_config(config_file, options);
  if (!loaded) FAIL(loaded.error().message());
  const Application& a = loaded->application;
  fs::path dir = p.dir.path();
  CHECK(loaded->file == config_file);
  CHECK(a.dir == dir);
  CHECK(a.module == dir / "src/app.py");
  CHECK(a.file_dir == dir / "src");
  CHECK_FALSE(logs.contains("Application file not found"));
  CHECK(a.syspaths == std::vector<fs::path>{dir / "lib", dir.parent_path() / "shared"});
  CHECK(a.venv_dir == "/cwd/ssf-app-venv");
  CHECK(a.dependencies.requirements ==
        std::vector<fs::path>{dir / "requirements.txt", dir / "extra/dev.txt"});
  CHECK(a.dependencies.pip_specs == std::vector<std::string>{"numpy==1.23.5", "--find-links",
                                                             "https://x/y", "torch==2.0.1+cpu"});
  CHECK(a.dependencies.poplar == std::vector<std::string>{"3.3.0"});
  CHECK(a.dependencies.poplar_wheels == std::vector<std::string>{"poptorch", "tensorflow"});
  CHECK(a.dependencies.poplar_location == "/opt/sdk");
  CHECK(a.package.name == "app-bundle.tar.gz");
  CHECK(a.package.tag == "app:3");
  CHECK(a.package.baseimage == "from/config:1");
  CHECK(a.package.docker_run == "RUN echo hello\n");
  CHECK_FALSE(loaded->endpoints[0].custom.has_value());
  CHECK(loaded->dict.find("application")->find("package")->find("name")->as_string() ==
        "app-bundle.tar.gz");
}

TEST_CASE("the package_baseimage option wins over the config, which wins over the default") {
  Project p;
  fs::path with_docker = p.write("a.yaml", kApp);
  fs::path without = p.write("b.yaml", "application:\n  module: m.py\nendpoints: []\n");
  LogCapture logs;
  LoadOptions options;
  CHECK(load_config(with_docker, options)->application.package.baseimage == "from/config:1");
  CHECK(load_config(without, options)->application.package.baseimage == kPackageDefaultBaseImage);
  options.package_baseimage = "from/option:2";
  CHECK(load_config(with_docker, options)->application.package.baseimage == "from/option:2");
  CHECK(load_config(without, options)->application.package.baseimage == "from/option:2");
}

TEST_CASE("load_config applies --modify-config before expansion") {
  Project p;
  fs::path file = p.write("ssf_config.yaml", kApp);
  LogCapture logs;
  LoadOptions options;
  options.modify_config = "application.id=changed;application.custom={{application.id}}";
  auto loaded = load_config(file, options);
  if (!loaded) FAIL(loaded.error().message());
  CHECK(loaded->application.id == "changed");
  CHECK(loaded->application.package.name == "changed-bundle.tar.gz");
  CHECK(loaded->dict.find("application")->find("custom")->as_string() == "changed");

  options.modify_config = "application=x";
  auto failed = load_config(file, options);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code() == ssf::ResultCode::ApplicationConfigError);
  CHECK(failed.error().message() == "Failed to modify config with `['application=x']`");
}

TEST_CASE("load_config errors") {
  Project p;
  LogCapture logs;
  fs::path missing = p.dir.path() / "missing.yaml";
  auto unreadable = load_config(missing, {});
  REQUIRE_FALSE(unreadable.has_value());
  CHECK(unreadable.error().code() == ssf::ResultCode::ApplicationConfigError);
  CHECK(unreadable.error().message().starts_with("Failure loading " + missing.string() + ": "));

  auto directory = load_config(p.dir.path(), {});
  REQUIRE_FALSE(directory.has_value());
  CHECK(directory.error().message() ==
        "Failure loading " + p.dir.path().string() + ": it is a directory");

  fs::path corrupt = p.write("corrupt.yaml", "application:\n  id: [x\n");
  auto bad_yaml = load_config(corrupt, {});
  REQUIRE_FALSE(bad_yaml.has_value());
  CHECK(bad_yaml.error().code() == ssf::ResultCode::ApplicationConfigError);
  CHECK(bad_yaml.error().message() == corrupt.string() + ":3:1: end of sequence flow not found");

  fs::path unexpandable = p.write("x.yaml", "application:\n  id: \"{{nope}}\"\n");
  auto bad_symbol = load_config(unexpandable, {});
  REQUIRE_FALSE(bad_symbol.has_value());
  CHECK(bad_symbol.error().message() ==
        unexpandable.string() + ":2:7: application.id: nope not specified and there is no default");
}

TEST_CASE("a config under the working directory is named relative to it") {
  fs::path file = fs::current_path() / "gc-ssf-load-test-missing.yaml";
  auto loaded = load_config(file, {});
  REQUIRE_FALSE(loaded.has_value());
  CHECK(loaded.error().message().starts_with("Failure loading gc-ssf-load-test-missing.yaml: "));
}

TEST_CASE("check_ssf_version accepts 0.0.1 to 1.2.0") {
  struct Case {
    const char* version;
    const char* error;  // empty: accepted
  };
  const Case cases[] = {
      {"0.0.1", ""},
      {"1.0.0", ""},
      {"1.2.0", ""},
      {"1.2", ""},
      {"1.0", ""},
      {"v1.1.0", ""},
      {"1.3.0", "ssf_config.yaml: ssf_version 1.3.0 is not supported (supported: 0.0.1 - 1.2.0)"},
      {"1.2.1", "ssf_config.yaml: ssf_version 1.2.1 is not supported (supported: 0.0.1 - 1.2.0)"},
      {"0.0.0", "ssf_config.yaml: ssf_version 0.0.0 is not supported (supported: 0.0.1 - 1.2.0)"},
      {"latest", "ssf_config.yaml: ssf_version latest is not a valid version"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.version);
    Config config;
    config.file = "/somewhere/ssf_config.yaml";
    config.ssf_version = c.version;
    auto status = check_ssf_version(config);
    if (std::string(c.error).empty()) {
      CHECK(status.ok());
    } else {
      REQUIRE_FALSE(status.ok());
      CHECK(status.error().code() == ssf::ResultCode::ArgumentError);
      CHECK(status.error().message() == c.error);
    }
  }
}

TEST_CASE("compare_versions compares numerically") {
  struct Case {
    const char* a;
    const char* b;
    std::optional<int> expected;
  };
  const Case cases[] = {
      {"1.10.0", "1.2", 1},    {"1.2", "1.2.0", 0},         {"0.0.1", "0.0.2", -1},
      {"2", "10", -1},         {"1.2.0", "1.2.0", 0},       {"1.x", "1.0", std::nullopt},
      {"", "1", std::nullopt}, {"1..2", "1", std::nullopt},
  };
  for (const auto& c : cases) {
    CAPTURE(c.a, c.b);
    CHECK(compare_versions(c.a, c.b) == c.expected);
  }
}

TEST_CASE("self_package_config is upstream's synthetic config") {
  LogCapture logs;
  Config c = self_package_config({});
  CHECK(c.self_package);
  CHECK(c.file.empty());
  CHECK(c.ssf_version == "1.2.0");
  CHECK(c.endpoints.empty());
  CHECK(c.application.id == "simple-server-framework");
  CHECK(c.application.name == "Simple Server Framework");
  CHECK(c.application.version == "1.2.0");
  CHECK(c.application.package.tag == "graphcore/cloudsolutions-dev:simple-server-framework-1.2.0");
  CHECK(c.application.package.name == "simple-server-framework.1.2.0.tar.gz");
  CHECK(c.application.package.baseimage == kPackageDefaultBaseImage);
  CHECK(c.dict.find("application")->find("package")->find("tag")->as_string() ==
        "graphcore/cloudsolutions-dev:simple-server-framework-1.2.0");
  CHECK(check_ssf_version(c).ok());

  LoadOptions options;
  options.package_baseimage = "my/base:1";
  CHECK(self_package_config(options).application.package.baseimage == "my/base:1");
}
