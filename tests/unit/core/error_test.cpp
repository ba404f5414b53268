#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/core.h"

namespace ssf {
namespace {

Status fail_with(ResultCode code, std::string message) { return Error(code, std::move(message)); }

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') {
    return Error(ResultCode::ArgumentError, std::string("not a digit: ") + c);
  }
  return c - '0';
}

// SSF_TRY in a Status-returning function: returns the first error, runs nothing after it.
Status two_steps(bool first_fails, bool second_fails, int& steps) {
  SSF_TRY(first_fails ? fail_with(ResultCode::SshError, "first") : Status());
  ++steps;
  SSF_TRY(second_fails ? fail_with(ResultCode::NetworkError, "second") : Status());
  ++steps;
  return {};
}

// SSF_TRY in a Result-returning function, on a Result expression.
Result<int> sum_digits(const std::string& text) {
  int sum = 0;
  for (char c : text) {
    SSF_TRY(parse_digit(c));
    sum += parse_digit(c).value();
  }
  return sum;
}

}  // namespace

TEST_CASE("Error keeps its code and message", "[error]") {
  Error e(ResultCode::ApplicationConfigError, "bad key");
  CHECK(e.code() == ResultCode::ApplicationConfigError);
  CHECK(e.message() == "bad key");
  CHECK(to_int(e.code()) == 34);
}

TEST_CASE("with_context prefixes the message, outermost first, and keeps the code", "[error]") {
  Error e = Error(ResultCode::GitRepoError, "git exited with 128")
                .with_context("clone https://x")
                .with_context("init");
  CHECK(e.message() == "init: clone https://x: git exited with 128");
  CHECK(e.code() == ResultCode::GitRepoError);

  SECTION("an empty context adds nothing") {
    Error same = Error(ResultCode::Fail, "m").with_context("");
    CHECK(same.message() == "m");
  }
}

TEST_CASE("Status is OK by default and carries an Error otherwise", "[error]") {
  Status ok;
  CHECK(ok.ok());
  CHECK(static_cast<bool>(ok));

  Status failed = Error(ResultCode::DeploymentError, "rollout stopped");
  CHECK_FALSE(failed.ok());
  CHECK_FALSE(static_cast<bool>(failed));
  CHECK(failed.error().code() == ResultCode::DeploymentError);
  CHECK(failed.error().message() == "rollout stopped");

  Error moved = std::move(failed).error();
  CHECK(moved.message() == "rollout stopped");
}

TEST_CASE("Result holds a value or an Error", "[error]") {
  Result<std::string> value = std::string("abc");
  REQUIRE(value.has_value());
  CHECK(static_cast<bool>(value));
  CHECK(value.value() == "abc");
  CHECK(*value == "abc");
  CHECK(value->size() == 3);
  value->append("d");
  CHECK(value.value() == "abcd");
  std::string taken = std::move(value).value();
  CHECK(taken == "abcd");

  Result<std::string> error = Error(ResultCode::NotImplementedError, "later");
  CHECK_FALSE(error.has_value());
  CHECK_FALSE(static_cast<bool>(error));
  CHECK(error.error().code() == ResultCode::NotImplementedError);
  CHECK(error.error().message() == "later");
}

TEST_CASE("Result works with move-only values", "[error]") {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  REQUIRE(r.has_value());
  CHECK(**r == 7);
  std::unique_ptr<int> p = std::move(r).value();
  CHECK(*p == 7);
}

TEST_CASE("SSF_TRY returns the first error from the enclosing function", "[error]") {
  int steps = 0;
  CHECK(two_steps(false, false, steps).ok());
  CHECK(steps == 2);

  steps = 0;
  Status first = two_steps(true, true, steps);
  REQUIRE_FALSE(first.ok());
  CHECK(first.error().code() == ResultCode::SshError);
  CHECK(first.error().message() == "first");
  CHECK(steps == 0);

  steps = 0;
  Status second = two_steps(false, true, steps);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code() == ResultCode::NetworkError);
  CHECK(steps == 1);
}

TEST_CASE("SSF_TRY on a Result converts its error into the caller's Result", "[error]") {
  Result<int> ok = sum_digits("123");
  REQUIRE(ok.has_value());
  CHECK(ok.value() == 6);

  Result<int> bad = sum_digits("1x3");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == ResultCode::ArgumentError);
  CHECK(bad.error().message() == "not a digit: x");
}

TEST_CASE("result_name gives upstream's constant names", "[error]") {
  CHECK(result_name(ResultCode::Ok) == "RESULT_OK");
  CHECK(result_name(ResultCode::ApplicationConfigError) == "RESULT_APPLICATION_CONFIG_ERROR");
  CHECK(result_name(ResultCode::UnmetRequirement) == "RESULT_UNMET_REQUIREMENT");
  CHECK(result_name(static_cast<ResultCode>(99)) == "RESULT_UNKNOWN");
}

}  // namespace ssf
