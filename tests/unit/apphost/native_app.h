#pragma once
// The native fixture app (tests/fixtures/native/echo.cpp) as a worker spec, for apphost's tests.

#include <cstdlib>
#include <string>

#include "helpers.h"

namespace ssf::apphost::test {

// The binary that hosts a native worker process: the test host, or $SSF_TEST_NATIVE_HOST.
inline std::filesystem::path native_host() {
  const char* env = getenv("SSF_TEST_NATIVE_HOST");
  return env && *env ? env : SSF_TEST_NATIVE_HOST;
}

// A config naming the built fixture library, with `extra` top-level YAML.
class NativeApp {
 public:
  explicit NativeApp(const std::string& extra = "", int max_batch_size = 1) {
    REQUIRE(write_file_atomic(dir_.path() / "ssf_config.yaml",
                              "application:\n"
                              "  id: native-echo\n"
                              "  module: " SSF_TEST_NATIVE_ECHO "\n"
                              "  ipus: 0\n"
                              "  max_batch_size: " +
                                  std::to_string(max_batch_size) + "\n" + extra +
                                  "endpoints:\n"
                                  "  - id: echo\n"
                                  "    inputs: [{id: x, type: String}]\n"
                                  "    outputs: [{id: y, type: String}]\n")
                .ok());
    config_ = load(dir_.path() / "ssf_config.yaml");
  }
  WorkerSpec spec(WorkerSpec::Mode mode = WorkerSpec::Mode::Run, int replica = 0) const {
    WorkerSpec s;
    s.mode = mode;
    s.replica = replica;
    s.config = &config_;
    s.options = &options_;
    s.self_exe = native_host();
    return s;
  }
  const config::Config& config() const { return config_; }

 private:
  TempDir dir_ = TempDir::create("gc-ssf-native-test-").value();
  config::Config config_;
  config::Options options_;
};

}  // namespace ssf::apphost::test
