// Native replicas on a thread of this process (WorkerSpec::in_process): the fixture app
// (tests/fixtures/native/echo.cpp) loaded into the test binary itself, behind the same Worker
// interface and events as a worker process. (Batches: native_worker_test, for both kinds.)

#include <unistd.h>

#include <catch2/catch.hpp>

#include "helpers.h"
#include "native_app.h"

namespace ssf::apphost::test {
namespace {

WorkerSpec in_process(WorkerSpec spec) {
  spec.in_process = true;
  spec.self_exe = "/nonexistent/no-worker-process-is-started";
  return spec;
}

std::unique_ptr<Worker> start_in_process(const WorkerSpec& spec, Recorder& rec) {
  auto worker = Worker::start(in_process(spec), rec.events());
  if (!worker) FAIL(worker.error().message());
  return std::move(worker).value();
}

TEST_CASE("an in-process replica serves requests, bytes and watchdogs", "[native][in-process]") {
  LogCapture log;
  NativeApp app;
  Recorder rec;
  auto worker = start_in_process(app.spec(WorkerSpec::Mode::Run, 1), rec);
  CHECK(worker->pid() == getpid());
  REQUIRE(rec.wait_started());
  for (uint64_t id = 1; id <= 20; ++id) {
    REQUIRE(worker->send_request(id, {R"({"x":")" + std::to_string(id) + R"("})"}, {"{}"}).ok());
  }
  REQUIRE(worker->send_request(21, {R"({"op":"bytes","x":"b"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(21));
  auto cwd = std::filesystem::current_path();
  {
    auto lock = rec.lock();
    for (uint64_t i = 0; i < 20; ++i) {
      CHECK(rec.results[i].first == i + 1);
      CHECK(output(rec.results[i].second.at(0), "y") == std::to_string(i + 1));
    }
    const auto& r = rec.results[0].second.at(0);
    CHECK(r.outputs.find("replica")->as_int() == 1);
    // The server's working directory is left alone: it is every replica's and the server's.
    CHECK(output(r, "cwd") == cwd.string());
    CHECK(rec.results[20].second.at(0).bytes.at("png") == std::string("\x89PNG\0\xff", 6));
  }
  REQUIRE(worker->send_watchdog(30).ok());
  REQUIRE(rec.wait([&] { return !rec.watchdogs.empty(); }));
  worker->stop(std::chrono::seconds(30));
  CHECK(*rec.exit_code == 0);
  CHECK(std::filesystem::current_path() == cwd);
  CHECK(log.contains("echo created for native-echo"));
  CHECK(log.contains("echo shutdown"));
  CHECK(log.contains("Replica started for native-echo on a thread of the server"));
  // Sending to a replica that has ended is an error, as to a worker that has exited.
  CHECK(!worker->send_request(40, {R"({"x":"late"})"}, {"{}"}).ok());
}

TEST_CASE("an in-process request failure ends the replica with 32; a new one serves",
          "[native][in-process]") {
  LogCapture log;
  NativeApp app;
  Recorder rec;
  auto worker = start_in_process(app.spec(), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"fail"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.failures.size() == 1);
  CHECK(rec.failures[0] == std::pair<uint64_t, std::string>(1, "echo failed on purpose"));
  CHECK(rec.reason == "echo failed on purpose");
  CHECK(log.contains("echo shutdown"));
  worker.reset();
  // What the dispatcher does next: a new replica, from the same library, in the same process.
  Recorder again;
  auto restarted = start_in_process(app.spec(), again);
  REQUIRE(restarted->send_request(2, {R"({"x":"back"})"}, {"{}"}).ok());
  REQUIRE(again.wait_results(1));
  auto lock = again.lock();
  CHECK(output(again.results.at(0).second.at(0), "y") == "back");
}

TEST_CASE("an in-process replica's create and startup failures: 35, 255, 32", "[native][in-process]") {
  auto outcome = [](const std::string& extra) {
    NativeApp app(extra);
    Recorder rec;
    auto worker = start_in_process(app.spec(), rec);
    REQUIRE(rec.wait_exit());
    CHECK(!rec.started);
    return *rec.exit_code;
  };
  CHECK(outcome("fail_create: true\n") == 35);
  CHECK(outcome("startup_result: 255\n") == 255);
  CHECK(outcome("startup_result: 2\n") == 32);
}

TEST_CASE("an in-process worker destroyed while serving stops its replica first",
          "[native][in-process]") {
  NativeApp app;
  Recorder rec;
  auto worker = start_in_process(app.spec(), rec);
  for (uint64_t id = 1; id <= 5; ++id) {
    REQUIRE(worker->send_request(id, {R"({"x":"q"})"}, {"{}"}).ok());
  }
  worker.reset();  // must neither hang nor leave the thread running
  REQUIRE(rec.exit_code.has_value());
  CHECK(*rec.exit_code == 0);
}

}  // namespace
}  // namespace ssf::apphost::test
