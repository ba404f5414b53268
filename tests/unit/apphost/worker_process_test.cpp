// Real Python workers (Debian's /usr/bin/python3) on the fixture apps of tests/fixtures/apps.

#include <signal.h>

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::test {
namespace {

std::unique_ptr<Worker> start(const WorkerSpec& spec, Recorder& recorder) {
  auto worker = Worker::start(spec, recorder.events());
  if (!worker) FAIL(worker.error().message());
  return std::move(worker).value();
}

const config::Value& value(const types::AppResult& r, const std::string& key) {
  const auto* v = r.outputs.find(key);
  REQUIRE(v != nullptr);
  return *v;
}

TEST_CASE("a pass-through app serves requests and stops cleanly", "[worker]") {
  LogCapture log;
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(rec.wait_started());

  REQUIRE(worker->send_request(1, {R"({"x":"hello"})"}, {R"({"endpoint_id":"echo"})"}).ok());
  REQUIRE(rec.wait_results(1));
  {
    auto lock = rec.lock();
    REQUIRE(rec.results.size() == 1);
    CHECK(rec.results[0].first == 1);
    REQUIRE(rec.results[0].second.size() == 1);
    const auto& r = rec.results[0].second[0];
    CHECK(output(r, "y") == "hello");
    CHECK(value(r, "meta").find("endpoint_id")->as_string() == "echo");
    CHECK(value(r, "meta").find("replica")->as_int() == 0);
    CHECK(rec.latencies[0] >= 0);
  }

  worker->stop(std::chrono::seconds(30));
  REQUIRE(rec.exit_code.has_value());
  CHECK(*rec.exit_code == 0);
  CHECK(rec.exits == 1);
  CHECK(rec.failures.empty());
  CHECK(log.contains("basic startup"));
  CHECK(log.contains("basic shutdown in " + fixture_dir("basic").string()));
  // Upstream's line that tools parse for worker pids: "[<server pid>-><worker pid>]".
  CHECK(log.contains("Worker started for basic-test, [" + std::to_string(getpid()) + "->" +
                     std::to_string(worker->pid()) + "]"));
  CHECK_FALSE(worker->send_request(2, {"{}"}, {"{}"}).ok());
}

TEST_CASE("bytes in a result arrive as raw bytes", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(5, {R"({"op":"bytes"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(1));
  auto lock = rec.lock();
  REQUIRE(rec.results.size() == 1);
  const auto& r = rec.results[0].second.at(0);
  CHECK(r.bytes.at("png") == std::string("\x89PNG\0\xff", 6));
  CHECK(value(r, "n").as_int() == 1);
}

TEST_CASE("pipelined requests are all served, in order", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  for (uint64_t id = 1; id <= 50; ++id) {
    REQUIRE(worker->send_request(id, {R"({"x":")" + std::to_string(id) + R"("})"}, {"{}"}).ok());
  }
  REQUIRE(rec.wait_results(50));
  auto lock = rec.lock();
  REQUIRE(rec.results.size() == 50);
  for (uint64_t i = 0; i < 50; ++i) {
    CHECK(rec.results[i].first == i + 1);
    CHECK(output(rec.results[i].second.at(0), "y") == std::to_string(i + 1));
  }
}

TEST_CASE("a batched app gets lists and returns one result per request", "[worker]") {
  auto config = load_fixture("batched");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options, 2), rec);
  REQUIRE(
      worker->send_request(1, {R"({"x":1})", R"({"x":2})", R"({"x":3})"}, {"{}", "{}", "{}"}).ok());
  REQUIRE(worker->send_request(2, {R"({"x":10})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(2));
  {
    auto lock = rec.lock();
    const auto& first = rec.results.at(0).second;
    REQUIRE(first.size() == 3);
    CHECK(value(first[2], "y").as_int() == 6);
    CHECK(value(first[0], "n").as_int() == 3);
    CHECK(value(first[0], "replica").as_int() == 2);
    CHECK(value(rec.results.at(1).second.at(0), "y").as_int() == 20);
  }

  REQUIRE(worker->send_request(3, {R"({"x":1,"op":"bad"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.failures.size() == 1);
  CHECK(rec.failures[0].first == 3);
  CHECK_THAT(rec.failures[0].second,
             Catch::Contains("Expected result as list of dict for batched request"));
}

TEST_CASE("a factory gets the config, options and unknown arguments", "[worker]") {
  LogCapture log;
  auto config = load_fixture("factory");
  config::Options options;
  options.port = 8765;
  options.unknown_args = {"--unknown"};
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {"{}"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(1));
  {
    auto lock = rec.lock();
    const auto& r = rec.results.at(0).second.at(0);
    CHECK(output(r, "custom") == "from the config");
    CHECK(output(r, "id") == "factory-test");
    CHECK(value(r, "port").as_int() == 8765);
    CHECK(value(r, "unknown_args").as_list().at(0).as_string() == "--unknown");
    CHECK(output(r, "made_in") == fixture_dir("factory").string());
    CHECK(value(r, "max_batch_size").as_int() == 1);
  }
  CHECK(log.contains(
      "Application instantiated by user-defined function`create_ssf_application_instance`"));
}

TEST_CASE("every entry point runs in the module's directory", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_watchdog(1).ok());
  REQUIRE(worker->send_request(2, {R"({"op":"cwd"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(1));
  auto lock = rec.lock();
  REQUIRE(rec.watchdogs.size() == 1);
  CHECK(rec.watchdogs[0] == std::pair<uint64_t, int>(1, 0));
  const auto& r = rec.results.at(0).second.at(0);
  std::string dir = fixture_dir("basic").string();
  for (const char* call : {"init", "startup", "watchdog", "request"}) {
    INFO(call);
    CHECK(value(r, "cwd").find(call)->as_string() == dir);
  }
  // sys.path: the config's and module's directories, not the worker's working directory twice.
  const auto& path = value(r, "sys_path").as_list();
  CHECK(path.at(0).as_string() == dir);
}

TEST_CASE("application log records reach ssf.log with the worker's pid", "[worker]") {
  LogCapture log;
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"log","text":"hello"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_results(1));
  REQUIRE(log.wait_for("app says hello"));
  std::string text = log.text();
  auto line_start = text.rfind('\n', text.find("app says hello"));
  std::string line = text.substr(line_start + 1, text.find('\n', line_start + 1) - line_start - 1);
  CHECK_THAT(line, Catch::Contains(" " + std::to_string(worker->pid()) + " "));
  CHECK_THAT(line, Catch::Contains("WARNING"));
  CHECK_THAT(line, Catch::EndsWith("(basic_app.py:45)"));
  // Upstream's debug line, parsed by tools for worker pids.
  CHECK(log.contains("DEBUG     [0] Dispatcher issuing request with params="));
}

TEST_CASE("a request that raises fails, then the worker exits with 32", "[worker]") {
  LogCapture log;
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"raise"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.failures.size() == 1);
  CHECK(rec.failures[0].first == 1);
  CHECK_THAT(rec.failures[0].second, Catch::Contains("Application `request` api call failed."));
  CHECK_THAT(rec.failures[0].second, Catch::Contains("ValueError: bad input for basic app"));
  CHECK_THAT(rec.reason, Catch::Contains("Application `request` api call failed."));
  CHECK(rec.results.empty());
  // The traceback of the application's exception, and shutdown() after the failure.
  CHECK(log.contains("ValueError: bad input for basic app"));
  CHECK(log.contains("basic shutdown"));
}

TEST_CASE("an unbatched app returning a list fails the request with upstream's text", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"bad"})"}, {"{}"}).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.failures.size() == 1);
  CHECK(rec.failures[0].second == "[0] Expected result as dict for unbatched request");
}

TEST_CASE("the watchdog reports the app's code; a failing one ends the worker", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"watchdog","code":5})"}, {"{}"}).ok());
  REQUIRE(worker->send_watchdog(2).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  REQUIRE(rec.watchdogs.size() == 1);
  CHECK(rec.watchdogs[0] == std::pair<uint64_t, int>(2, 5));
  CHECK_THAT(rec.reason, Catch::Contains("Application `watchdog` call failed."));
}

TEST_CASE("is_healthy() stands in for watchdog(), with upstream's warnings", "[worker]") {
  LogCapture log;
  auto config = load_fixture("healthy");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_watchdog(1).ok());
  REQUIRE(worker->send_request(2, {R"({"healthy":false})"}, {"{}"}).ok());
  REQUIRE(worker->send_watchdog(3).ok());
  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 32);
  CHECK(rec.watchdogs == std::vector<std::pair<uint64_t, int>>{{1, 0}, {3, 32}});
  CHECK(log.contains("Application interface 'is_healthy' has been renamed to 'watchdog'"));
  CHECK(log.contains("Using application interface 'is_healthy' as 'watchdog'"));
}

TEST_CASE("a worker killed mid-request reports 137", "[worker]") {
  LogCapture log;
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"sleep","seconds":120})"}, {"{}"}).ok());
  REQUIRE(log.wait_for("basic sleeping"));

  SECTION("by someone else") { REQUIRE(::kill(worker->pid(), SIGKILL) == 0); }
  SECTION("by kill()") { worker->kill(); }

  REQUIRE(rec.wait_exit());
  CHECK(*rec.exit_code == 137);
  CHECK(rec.results.empty());
  CHECK(rec.exits == 1);
  CHECK_FALSE(worker->send_watchdog(2).ok());
}

TEST_CASE("stop kills a worker that does not finish within the grace", "[worker]") {
  LogCapture log;
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  auto worker = start(python_spec(config, options), rec);
  REQUIRE(worker->send_request(1, {R"({"op":"sleep","seconds":120})"}, {"{}"}).ok());
  REQUIRE(log.wait_for("basic sleeping"));
  auto before = std::chrono::steady_clock::now();
  worker->stop(std::chrono::milliseconds(200));
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(30));
  REQUIRE(rec.exit_code.has_value());
  CHECK(*rec.exit_code == 137);
}

TEST_CASE("destroying a worker kills it and delivers exited", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  Recorder rec;
  {
    auto worker = start(python_spec(config, options), rec);
    REQUIRE(rec.wait_started());
  }
  REQUIRE(rec.exit_code.has_value());
  CHECK(*rec.exit_code == 137);
}

TEST_CASE("a worker may be destroyed from its own exited callback", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  std::mutex mutex;
  std::condition_variable cv;
  std::unique_ptr<Worker> worker;
  bool destroyed = false;
  WorkerEvents events;
  events.exited = [&](int, std::string) {
    std::lock_guard lock(mutex);
    worker.reset();
    destroyed = true;
    cv.notify_all();
  };
  {
    std::lock_guard lock(mutex);
    auto started = Worker::start(python_spec(config, options), std::move(events));
    REQUIRE(started.has_value());
    worker = std::move(started).value();
    REQUIRE(worker->send_request(1, {R"({"op":"raise"})"}, {"{}"}).ok());
  }
  std::unique_lock lock(mutex);
  CHECK(cv.wait_for(lock, kWait, [&] { return destroyed; }));
}

TEST_CASE("a missing interpreter is an error at start", "[worker]") {
  auto config = load_fixture("basic");
  config::Options options;
  auto spec = python_spec(config, options);
  spec.python = "/nonexistent/python3";
  Recorder rec;
  auto worker = Worker::start(spec, rec.events());
  REQUIRE_FALSE(worker.has_value());
  CHECK(worker.error().code() == ResultCode::InternalError);
}

}  // namespace
}  // namespace ssf::apphost::test
