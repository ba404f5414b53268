// The application venv, with a wheel made on the spot: no package index is reachable here, so pip
// runs with PIP_NO_INDEX and PIP_FIND_LINKS (ssf-behaviour.md §12 test_venv).

#include <stdlib.h>

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::test {
namespace {

// Sets environment variables for the scope of a test.
class ScopedEnv {
 public:
  void set(const std::string& name, const std::string& value) {
    const char* old = getenv(name.c_str());
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

constexpr const char* kMakeWheel = R"(
import os, sys, zipfile
info = "gcssf_test_pkg-1.0.dist-info/"
with zipfile.ZipFile(os.path.join(sys.argv[1], "gcssf_test_pkg-1.0-py3-none-any.whl"), "w") as z:
    z.writestr("gcssf_test_pkg/__init__.py", "VALUE = 'from the venv'\n")
    z.writestr(info + "METADATA", "Metadata-Version: 2.1\nName: gcssf-test-pkg\nVersion: 1.0\n")
    z.writestr(info + "WHEEL", "Wheel-Version: 1.0\nGenerator: gc-ssf-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    z.writestr(info + "RECORD", "")
)";

constexpr const char* kApp = R"(import sys

import gcssf_test_pkg
from ssf.application_interface.application import SSFApplicationInterface


class VenvApp(SSFApplicationInterface):
    def build(self):
        return 0

    def startup(self):
        return 0

    def request(self, params, meta):
        return {"value": gcssf_test_pkg.VALUE, "python": sys.executable}

    def shutdown(self):
        return 0
)";

// An app directory whose dependencies are `python_deps`, a wheel house, and a working directory
// for the venv (made by system_python()).
class VenvFixture {
 public:
  explicit VenvFixture(const std::string& python_deps) {
    auto wheels = dir_.path() / "wheels";
    std::filesystem::create_directories(wheels);
    std::filesystem::create_directories(cwd());
    std::filesystem::create_directories(dir_.path() / "app");
    auto made = run_process({"/usr/bin/python3", "-c", kMakeWheel, wheels.string()});
    REQUIRE(made.has_value());
    REQUIRE(made->exit_code == 0);
    env_.set("PIP_NO_INDEX", "1");
    env_.set("PIP_FIND_LINKS", wheels.string());

    REQUIRE(write_file_atomic(dir_.path() / "app" / "venv_app.py", kApp).ok());
    REQUIRE(write_file_atomic(dir_.path() / "app" / "requirements.txt", "gcssf-test-pkg\n").ok());
    REQUIRE(write_file_atomic(dir_.path() / "app" / "ssf_config.yaml",
                              "application:\n"
                              "  id: venv-test\n"
                              "  module: venv_app.py\n"
                              "  ipus: 0\n"
                              "  dependencies:\n"
                              "    python: " +
                                  python_deps +
                                  "\n"
                                  "endpoints: []\n")
                .ok());
    config::LoadOptions options;
    options.cwd = cwd();
    auto config = config::load_config(dir_.path() / "app" / "ssf_config.yaml", options);
    REQUIRE(config.has_value());
    config_ = std::move(config).value();
  }
  std::filesystem::path cwd() const { return dir_.path() / "work"; }
  const config::Config& config() const { return config_; }

 private:
  TempDir dir_ = TempDir::create("gc-ssf-venv-test-").value();
  ScopedEnv env_;
  config::Config config_;
};

TEST_CASE("an app without Python dependencies needs no venv", "[venv]") {
  auto config = load_fixture("basic");
  REQUIRE(ensure_venv(config).ok());
  CHECK_FALSE(std::filesystem::exists(config.application.venv_dir));
  CHECK(python_for(config) == system_python());
}

TEST_CASE("dependencies are installed into <cwd>/ssf-<id>-venv, which the worker uses",
          "[venv][slow]") {
  LogCapture log;
  VenvFixture fixture("requirements.txt");
  const auto& config = fixture.config();
  auto venv = fixture.cwd() / "ssf-venv-test-venv";
  REQUIRE(config.application.venv_dir == venv);

  auto st = ensure_venv(config);
  INFO(log.text());
  REQUIRE(st.ok());
  CHECK(std::filesystem::exists(venv / "bin" / "python"));
  CHECK(python_for(config) == venv / "bin" / "python");
  CHECK(log.contains("> Creating application venv " + venv.string()));
  CHECK(log.contains("Successfully installed gcssf-test-pkg-1.0"));  // pip's output, at debug

  REQUIRE(ensure_venv(config).ok());
  CHECK(log.contains("> Using existing application venv " + venv.string()));

  use_repo_shim();
  config::Options options;
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  spec.python = python_for(config);
  Recorder rec;
  auto worker = Worker::start(spec, rec.events());
  REQUIRE(worker.has_value());
  REQUIRE((*worker)->send_request(1, {"{}"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(1));
  auto lock = rec.lock();
  REQUIRE(rec.results.size() == 1);
  const auto& r = rec.results[0].second.at(0);
  CHECK(output(r, "value") == "from the venv");
  CHECK(output(r, "python") == (venv / "bin" / "python").string());
}

TEST_CASE("a failed install is an installation error, and leaves no venv", "[venv][slow]") {
  LogCapture log;
  VenvFixture fixture("nonexistent-gcssf-package-xyz");
  auto st = ensure_venv(fixture.config());
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ResultCode::InstallationError);
  CHECK(st.error().message() ==
        "Failed to install application dependencies with ['nonexistent-gcssf-package-xyz']");
  CHECK_FALSE(std::filesystem::exists(fixture.config().application.venv_dir));
  CHECK(log.contains("No matching distribution found for nonexistent-gcssf-package-xyz"));
}

}  // namespace
}  // namespace ssf::apphost::test
