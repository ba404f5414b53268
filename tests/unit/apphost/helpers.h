#pragma once
// Shared by apphost's tests: fixture configs, a log capture, and a recorder of worker events
// with bounded waits.

#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "apphost/apphost.h"
#include "config/config.h"
#include "core/core.h"

namespace ssf::apphost::test {

using namespace std::chrono_literals;

// Generous: Python starts in well under a second, but the build machine is shared.
inline constexpr std::chrono::seconds kWait{60};

inline std::filesystem::path source_dir() { return SSF_SOURCE_DIR; }
inline std::filesystem::path fixture_dir(const std::string& name) {
  return source_dir() / "tests" / "fixtures" / "apps" / name;
}

// The repository's shim, found the way a deployed gc-ssf finds an overridden one.
inline void use_repo_shim() {
  setenv("SSF_PYTHON_SHIM", (source_dir() / "templates" / "python").c_str(), 1);
}

inline config::Config load(const std::filesystem::path& file,
                           std::optional<std::string> modify = std::nullopt) {
  config::LoadOptions options;
  options.modify_config = std::move(modify);
  auto config = config::load_config(file, options);
  if (!config) FAIL(config.error().message());
  return std::move(config).value();
}

inline config::Config load_fixture(const std::string& name,
                                   std::optional<std::string> modify = std::nullopt) {
  return load(fixture_dir(name) / "ssf_config.yaml", std::move(modify));
}

// Debian's interpreter, whatever python3 comes first on PATH.
inline WorkerSpec python_spec(const config::Config& config, const config::Options& options,
                              int replica = 0) {
  use_repo_shim();
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  spec.replica = replica;
  spec.python = "/usr/bin/python3";
  return spec;
}

// Collects the log records written while it lives.
class LogCapture {
 public:
  LogCapture() {
    log::init({dir_.path() / "ssf.log", log::Level::Debug, log::Level::Critical, false});
  }
  ~LogCapture() { log::init({"", log::Level::Debug, log::Level::Warning, false}); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const {
    log::flush();
    auto content = read_file(dir_.path() / "ssf.log");
    return content ? *content : std::string();
  }
  bool contains(const std::string& needle) const {
    return text().find(needle) != std::string::npos;
  }
  // Polls until `needle` was logged; false after kWait.
  bool wait_for(const std::string& needle) const {
    auto deadline = std::chrono::steady_clock::now() + kWait;
    while (!contains(needle)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

 private:
  TempDir dir_ = TempDir::create("gc-ssf-apphost-test-").value();
};

// Records every event of one worker. Must outlive the worker (declare it first).
class Recorder {
 public:
  WorkerEvents events() {
    WorkerEvents e;
    e.started = [this] { update([&] { started = true; }); };
    e.result = [this](uint64_t id, std::vector<types::AppResult> r, double latency) {
      update([&] {
        results.emplace_back(id, std::move(r));
        latencies.push_back(latency);
      });
    };
    e.request_failed = [this](uint64_t id, std::string message) {
      update([&] { failures.emplace_back(id, std::move(message)); });
    };
    e.watchdog = [this](uint64_t id, int code) {
      update([&] { watchdogs.emplace_back(id, code); });
    };
    e.exited = [this](int code, std::string why) {
      update([&] {
        exit_code = code;
        reason = std::move(why);
        ++exits;
      });
    };
    return e;
  }

  // Waits until `done()` holds (checked under the lock); false after kWait.
  bool wait(const std::function<bool()>& done) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, done);
  }
  bool wait_started() {
    return wait([&] { return started || exit_code.has_value(); }) && started;
  }
  bool wait_exit() {
    return wait([&] { return exit_code.has_value(); });
  }
  bool wait_results(size_t n) {
    return wait([&] { return results.size() >= n || exit_code; });
  }

  // Read after a wait, or under lock().
  std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  bool started = false;
  std::vector<std::pair<uint64_t, std::vector<types::AppResult>>> results;
  std::vector<double> latencies;
  std::vector<std::pair<uint64_t, std::string>> failures;
  std::vector<std::pair<uint64_t, int>> watchdogs;
  std::optional<int> exit_code;
  std::string reason;
  int exits = 0;

 private:
  void update(const std::function<void()>& change) {
    std::lock_guard lock(mutex_);
    change();
    cv_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable cv_;
};

// The string output `key` of a result, or "" when absent or not a string.
inline std::string output(const types::AppResult& r, const std::string& key) {
  const auto* v = r.outputs.find(key);
  return v && v->kind() == config::Value::Kind::String ? v->as_string() : std::string();
}

}  // namespace ssf::apphost::test
