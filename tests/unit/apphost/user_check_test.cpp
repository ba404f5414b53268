// UserCheck: a session authentication module's authenticate_user in a Python worker of its own.

#include <future>

#include "helpers.h"

namespace ssf::apphost {
namespace {

using namespace test;

struct Module {
  TempDir dir = std::move(TempDir::create("ssf-auth-").value());
  std::filesystem::path write(const std::string& text) {
    auto path = dir.path() / "auth.py";
    REQUIRE(write_file_atomic(path, text).ok());
    return path;
  }
};

UserCheckSpec spec_for(const std::filesystem::path& module) {
  use_repo_shim();
  UserCheckSpec spec;
  spec.module_file = module;
  spec.python = system_python();
  spec.start_timeout = kWait;
  return spec;
}

Result<std::optional<std::string>> check(UserCheck& users, std::string user, std::string password) {
  std::promise<Result<std::optional<std::string>>> promise;
  auto future = promise.get_future();
  users.check(std::move(user), std::move(password),
              [&](Result<std::optional<std::string>> r) { promise.set_value(std::move(r)); });
  REQUIRE(future.wait_for(kWait) == std::future_status::ready);
  return future.get();
}

TEST_CASE("authenticate_user decides, and its user id is a string", "[apphost][user_check]") {
  Module m;
  auto path = m.write(
      "def authenticate_user(username, password):\n"
      "    if username == 'boom':\n"
      "        raise ValueError(password)\n"
      "    if username == 'n':\n"
      "        return 42\n"
      "    return 'u-' + username if password == 'pw' else None\n");
  auto users = UserCheck::start(spec_for(path));
  if (!users) FAIL(users.error().message());
  auto ok = check(**users, "alice", "pw");
  REQUIRE(ok.has_value());
  CHECK(*ok == std::optional<std::string>("u-alice"));
  auto refused = check(**users, "alice", "nope");
  REQUIRE(refused.has_value());
  CHECK_FALSE(refused->has_value());
  CHECK(*check(**users, "n", "x") == std::optional<std::string>("42"));
  auto raised = check(**users, "boom", "secret-pw");
  REQUIRE_FALSE(raised.has_value());
  CHECK(raised.error().message() == "authenticate_user raised ValueError");
  // The worker survives an exception.
  CHECK(*check(**users, "bob", "pw") == std::optional<std::string>("u-bob"));
}

TEST_CASE("a stuck check times out and the next one gets a fresh worker",
          "[apphost][user_check]") {
  Module m;
  auto path = m.write(
      "import time\n"
      "def authenticate_user(username, password):\n"
      "    if username == 'slow':\n"
      "        time.sleep(30)\n"
      "    return username\n");
  auto spec = spec_for(path);
  spec.check_timeout = std::chrono::milliseconds(500);
  auto users = UserCheck::start(spec);
  if (!users) FAIL(users.error().message());
  auto slow = check(**users, "slow", "x");
  REQUIRE_FALSE(slow.has_value());
  CHECK(slow.error().message() == "authenticate_user: no answer in time");
  CHECK(*check(**users, "quick", "x") == std::optional<std::string>("quick"));
}

TEST_CASE("modules that cannot serve are refused at start (35)", "[apphost][user_check]") {
  Module m;
  auto missing = UserCheck::start(spec_for(m.dir.path() / "missing.py"));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == ResultCode::ApplicationModuleError);
  CHECK(missing.error().message() == "session authentication module " +
                                         (m.dir.path() / "missing.py").string() +
                                         ": no such file");

  auto no_function = UserCheck::start(spec_for(m.write("def other(): pass\n")));
  REQUIRE_FALSE(no_function.has_value());
  CHECK(no_function.error().code() == ResultCode::ApplicationModuleError);
  CHECK(no_function.error().message().find("Failure finding authenticate_user in") !=
        std::string::npos);

  auto broken = UserCheck::start(spec_for(m.write("this is not python\n")));
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().code() == ResultCode::ApplicationModuleError);
  CHECK(broken.error().message().find("Failure loading") != std::string::npos);
}

}  // namespace
}  // namespace ssf::apphost
