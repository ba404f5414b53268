// How applications fail to start, and `gc-ssf build`'s worker (ssf-behaviour.md §4.2-§4.3, §12
// test_errors and test_app_builder).

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::test {
namespace {

struct Failure {
  int code;
  std::string reason;
};

// Starts a run-mode worker that is expected to fail before "started".
Failure run_failure(const config::Config& config) {
  config::Options options;
  Recorder rec;
  auto worker = Worker::start(python_spec(config, options), rec.events());
  REQUIRE(worker.has_value());
  REQUIRE(rec.wait_exit());
  CHECK_FALSE(rec.started);
  return {*rec.exit_code, rec.reason};
}

TEST_CASE("two application classes are ambiguous: 35", "[errors]") {
  LogCapture log;
  auto failure = run_failure(load_fixture("two_classes"));
  CHECK(failure.code == 35);
  CHECK_THAT(failure.reason,
             Catch::Contains("Only one application main interface should be defined"));
  CHECK(log.contains("Only one application main interface should be defined. Found 2."));
}

TEST_CASE("missing abstract methods: 35, with Python's reason in the log", "[errors]") {
  LogCapture log;
  auto failure = run_failure(load_fixture("abstract"));
  CHECK(failure.code == 35);
  CHECK(log.contains("Can't instantiate abstract class MyApplication with abstract methods"));
  CHECK(log.contains("Could not create simple-test application main interface"));
}

TEST_CASE("a module that does not parse: 35", "[errors]") {
  LogCapture log;
  auto failure = run_failure(load_fixture("corrupt"));
  CHECK(failure.code == 35);
  CHECK(log.contains("SyntaxError"));
  CHECK(log.contains("Failure loading " + (fixture_dir("corrupt") / "corrupt_app.py").string()));
}

TEST_CASE("an object without the interface: 35, naming what is missing", "[errors]") {
  LogCapture log;
  auto failure = run_failure(load_fixture("missing_interface"));
  CHECK(failure.code == 35);
  CHECK(log.contains("Interface 'request' missing or not callable"));
  CHECK(log.contains("Interface 'watchdog' missing or not callable"));
  CHECK_FALSE(log.contains("Interface 'build' missing"));
}

TEST_CASE("an unmet requirement in the constructor: 255, logged as a warning", "[errors]") {
  LogCapture log;
  auto failure = run_failure(load_fixture("unmet"));
  CHECK(failure.code == 255);
  CHECK(failure.reason == "UnmetApp needs 64 IPUs");
  REQUIRE(log.contains("UnmetApp needs 64 IPUs"));
  std::string text = log.text();
  auto at = text.find("UnmetApp needs 64 IPUs");
  auto line_start = text.rfind('\n', at) + 1;
  CHECK_THAT(text.substr(line_start, at - line_start), Catch::Contains("WARNING"));
}

TEST_CASE("run_build returns build()'s result", "[errors][build]") {
  LogCapture log;
  config::Options options;
  SECTION("0") {
    auto config = load_fixture("basic");
    auto code = run_build(python_spec(config, options));
    REQUIRE(code.has_value());
    CHECK(*code == 0);
  }
  SECTION("7") {
    auto config = load_fixture("basic", "test.build_result=7");
    auto code = run_build(python_spec(config, options));
    REQUIRE(code.has_value());
    CHECK(*code == 7);
  }
  // build() ran in the module's directory, then shutdown() (also there).
  CHECK(log.contains("basic build"));
  CHECK(log.contains("basic shutdown in " + fixture_dir("basic").string()));
  CHECK(log.contains("Builder process started for basic-test"));
}

TEST_CASE("run_build returns the module error of an app that cannot be made", "[errors][build]") {
  config::Options options;
  auto two = load_fixture("two_classes");
  CHECK(run_build(python_spec(two, options)).value() == 35);
  auto unmet = load_fixture("unmet");
  CHECK(run_build(python_spec(unmet, options)).value() == 255);
}

}  // namespace
}  // namespace ssf::apphost::test
