#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/core.h"

namespace ssf {
namespace {

namespace fs = std::filesystem;

ProcessOutput run_ok(const std::vector<std::string>& argv, const ProcessOptions& options = {}) {
  Result<ProcessOutput> r = run_process(argv, options);
  REQUIRE(r.has_value());
  return std::move(r).value();
}

}  // namespace

TEST_CASE("run_process captures a program's output", "[process]") {
  ProcessOutput out = run_ok({"/bin/echo", "hello", "two words", "$HOME", "'q'"});
  CHECK(out.exit_code == 0);
  CHECK(out.out == "hello two words $HOME 'q'\n");  // no shell: nothing is expanded
}

TEST_CASE("run_process finds the program on PATH", "[process]") {
  CHECK(run_ok({"echo", "on path"}).out == "on path\n");
}

TEST_CASE("run_process reports the exit code, and a non-zero one is not an error", "[process]") {
  ProcessOutput out = run_ok({"sh", "-c", "exit 3"});
  CHECK(out.exit_code == 3);
  CHECK(out.out.empty());
}

TEST_CASE("a program killed by signal N exits with 128 + N", "[process]") {
  CHECK(run_ok({"sh", "-c", "kill -TERM $$"}).exit_code == 128 + 15);
}

TEST_CASE("run_process captures stdout and stderr together", "[process]") {
  CHECK(run_ok({"sh", "-c", "echo out; echo err >&2; echo again"}).out == "out\nerr\nagain\n");
}

TEST_CASE("stdin_data reaches the program's stdin", "[process]") {
  ProcessOptions options;
  options.stdin_data = "line 1\nline 2\n";
  CHECK(run_ok({"cat"}, options).out == "line 1\nline 2\n");

  SECTION("an empty stdin_data gives an empty stdin") {
    options.stdin_data = "";
    CHECK(run_ok({"cat"}, options).out.empty());
  }
  SECTION("without stdin_data, stdin is /dev/null") {
    options.stdin_data.reset();
    ProcessOutput out = run_ok({"cat"}, options);
    CHECK(out.exit_code == 0);
    CHECK(out.out.empty());
  }
}

TEST_CASE("a large stdin_data through cat does not deadlock", "[process]") {
  // Bigger than both pipe buffers: the program blocks on its output while we still feed input.
  std::string big;
  for (int i = 0; big.size() < 4 * 1024 * 1024; ++i) big += "line " + std::to_string(i) + "\n";
  ProcessOptions options;
  options.stdin_data = big;
  ProcessOutput out = run_ok({"cat"}, options);
  CHECK(out.exit_code == 0);
  CHECK(out.out.size() == big.size());
  CHECK(out.out == big);
}

TEST_CASE("a program that does not read its stdin does not kill us with SIGPIPE", "[process]") {
  ProcessOptions options;
  options.stdin_data = std::string(4 * 1024 * 1024, 'x');
  ProcessOutput out = run_ok({"sh", "-c", "exec 0<&-; echo closed"}, options);
  CHECK(out.exit_code == 0);
  CHECK(out.out == "closed\n");
}

TEST_CASE("cwd sets the program's working directory", "[process]") {
  Result<TempDir> dir = TempDir::create("process-test-");
  REQUIRE(dir.has_value());
  ProcessOptions options;
  options.cwd = dir->path();
  CHECK(run_ok({"pwd", "-P"}, options).out == fs::canonical(dir->path()).string() + "\n");

  SECTION("a missing cwd is an error") {
    options.cwd = dir->path() / "missing";
    Result<ProcessOutput> r = run_process({"pwd"}, options);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ResultCode::InternalError);
  }
}

TEST_CASE("env adds to and replaces our environment", "[process]") {
  ProcessOptions options;
  options.env = {{"SSF_PROCESS_TEST", "a value with spaces"}, {"HOME", "/nowhere"}};
  ProcessOutput out = run_ok(
      {"sh", "-c", "printf '%s|%s|%s' \"$SSF_PROCESS_TEST\" \"$HOME\" \"${PATH:+set}\""}, options);
  CHECK(out.out == "a value with spaces|/nowhere|set");
}

TEST_CASE("capture_output false leaves the output to our stdout", "[process]") {
  ProcessOptions options;
  options.capture_output = false;
  ProcessOutput out = run_ok({"true"}, options);
  CHECK(out.exit_code == 0);
  CHECK(out.out.empty());
}

TEST_CASE("a missing program is an Error, not an exit code", "[process]") {
  Result<ProcessOutput> r = run_process({"gc-ssf-no-such-program"});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ResultCode::InternalError);
  CHECK_THAT(r.error().message(), Catch::Contains("gc-ssf-no-such-program"));

  Result<ProcessOutput> path = run_process({"/nonexistent/bin/tool", "x"});
  REQUIRE_FALSE(path.has_value());
  CHECK_THAT(path.error().message(), Catch::Contains("/nonexistent/bin/tool"));
}

TEST_CASE("an empty argv is an Error", "[process]") {
  Result<ProcessOutput> r = run_process({});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code() == ResultCode::InternalError);
}

}  // namespace ssf
