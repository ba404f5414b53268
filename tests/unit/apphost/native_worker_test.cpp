// Native applications: tests/fixtures/native/echo.cpp hosted by apphost's native worker, in the
// test host binary (tests/fixtures/native/host.cpp) or, when $SSF_TEST_NATIVE_HOST names it, in
// gc-ssf itself (`gc-ssf --ssf-native-worker`).

#include <signal.h>

#include <catch2/catch.hpp>

#include "helpers.h"
#include "native_app.h"

namespace ssf::apphost::test {
namespace {

std::unique_ptr<Worker> start(const WorkerSpec& spec, Recorder& rec) {
  auto worker = Worker::start(spec, rec.events());
  if (!worker) FAIL(worker.error().message());
  return std::move(worker).value();
}

TEST_CASE("a native app serves requests like a Python one", "[native]") {
  LogCapture log;
  NativeApp app;
  Recorder rec;
  auto worker = start(app.spec(WorkerSpec::Mode::Run, 1), rec);
  REQUIRE(rec.wait_started());
  for (uint64_t id = 1; id <= 20; ++id) {
    REQUIRE(worker->send_request(id, {R"({"x":")" + std::to_string(id) + R"("})"}, {"{}"}).ok());
  }
  REQUIRE(worker->send_request(21, {R"({"op":"bytes","x":"b"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(21));
  {
    auto lock = rec.lock();
    for (uint64_t i = 0; i < 20; ++i) {
      CHECK(rec.results[i].first == i + 1);
      CHECK(output(rec.results[i].second.at(0), "y") == std::to_string(i + 1));
    }
    const auto& r = rec.results[0].second.at(0);
    CHECK(r.outputs.find("replica")->as_int() == 1);
    CHECK(output(r, "cwd") == app.config().application.file_dir.string());
    CHECK(rec.results[20].second.at(0).bytes.at("png") == std::string("\x89PNG\0\xff", 6));
  }
  REQUIRE(worker->send_watchdog(30).ok());
  REQUIRE(rec.wait([&] { return !rec.watchdogs.empty(); }));
  worker->stop(std::chrono::seconds(30));
  CHECK(*rec.exit_code == 0);
  CHECK(log.contains("echo created for native-echo"));
  CHECK(log.contains("echo shutdown"));
  CHECK(log.contains("Worker started for native-echo, [" + std::to_string(getpid()) + "->" +
                     std::to_string(worker->pid()) + "]"));
}

TEST_CASE("a native app gets batches", "[native]") {
  NativeApp app("", 4);
  Recorder rec;
  WorkerSpec spec = app.spec();
  spec.in_process = GENERATE(false, true);  // a worker process, or a thread of this one
  auto worker = start(spec, rec);
  REQUIRE(worker->send_request(1, {R"({"x":"a"})", R"({"x":"b"})"}, {"{}", "{}"}).ok());
  REQUIRE(rec.wait_results(1));
  auto lock = rec.lock();
  const auto& results = rec.results.at(0).second;
  REQUIRE(results.size() == 2);
  CHECK(output(results[1], "y") == "b");
  CHECK(results[1].outputs.find("count")->as_int() == 2);
}

TEST_CASE("a native request failure: request_failed, then 32", "[native]") {
  LogCapture log;
  NativeApp app;
  Recorder rec;
  auto worker = start(app.spec(), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"fail"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.failures.size() == 1);
  CHECK(rec.failures[0] == std::pair<uint64_t, std::string>(1, "echo failed on purpose"));
  CHECK(rec.reason == "echo failed on purpose");
  CHECK(log.contains("echo shutdown"));
}

TEST_CASE("a native app that crashes is reported by its signal", "[native]") {
  NativeApp app;
  Recorder rec;
  auto worker = start(app.spec(), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"crash"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 128 + SIGABRT);
}

TEST_CASE("a failing native watchdog ends the worker with 32", "[native]") {
  NativeApp app;
  Recorder rec;
  auto worker = start(app.spec(), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"watchdog","code":3})"}, {"{}"}).ok());
  REQUIRE(worker->send_watchdog(2).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  CHECK(rec.watchdogs == std::vector<std::pair<uint64_t, int>>{{2, 3}});
}

TEST_CASE("native create failure: 35 with the app's message", "[native]") {
  LogCapture log;
  NativeApp app("fail_create: true\n");
  Recorder rec;
  auto worker = start(app.spec(), rec);
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 35);
  CHECK_THAT(rec.reason,
             Catch::StartsWith("Could not create native-echo application main interface"));
  CHECK_THAT(rec.reason, Catch::EndsWith(": echo was told to fail"));
}

TEST_CASE("native startup results: 255 is an unmet requirement, others 32", "[native]") {
  SECTION("255") {
    NativeApp app("startup_result: 255\n");
    Recorder rec;
    auto worker = start(app.spec(), rec);
    REQUIRE(rec.wait_exit());
    CHECK(*rec.exit_code == 255);
  }
  SECTION("2") {
    NativeApp app("startup_result: 2\n");
    Recorder rec;
    auto worker = start(app.spec(), rec);
    REQUIRE(rec.wait_exit());
    CHECK(*rec.exit_code == 32);
  }
}

TEST_CASE("native build returns build()'s result", "[native][build]") {
  NativeApp app("build_result: 7\n");
  auto code = run_build(app.spec());
  REQUIRE(code.has_value());
  CHECK(*code == 7);
}

TEST_CASE("a library that is not a native app: 35", "[native]") {
  LogCapture log;
  auto dir = TempDir::create().value();
  // A real shared library without the native interface; the copy's name ends in ".so".
  std::filesystem::copy_file("/lib/x86_64-linux-gnu/libm.so.6", dir.path() / "libm.so");
  REQUIRE(write_file_atomic(dir.path() / "ssf_config.yaml",
                            "application: {id: not-native, module: libm.so, ipus: 0}\n"
                            "endpoints: []\n")
              .ok());
  auto config = load(dir.path() / "ssf_config.yaml");
  config::Options options;
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  spec.self_exe = native_host();
  Recorder rec;
  auto worker = start(spec, rec);
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 35);
  CHECK(log.contains("Interface 'ssf_app_create' missing or not callable"));
}

TEST_CASE("a missing native module is an error at start", "[native]") {
  auto dir = TempDir::create().value();
  REQUIRE(write_file_atomic(dir.path() / "ssf_config.yaml",
                            "application: {id: gone, module: libgone.so, ipus: 0}\nendpoints: []\n")
              .ok());
  auto config = load(dir.path() / "ssf_config.yaml");
  config::Options options;
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  Recorder rec;
  auto worker = Worker::start(spec, rec.events());
  REQUIRE_FALSE(worker.has_value());
  CHECK(worker.error().code() == ResultCode::ApplicationModuleError);
}

}  // namespace
}  // namespace ssf::apphost::test
