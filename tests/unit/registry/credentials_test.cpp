#include <catch2/catch.hpp>

#include <fstream>

#include "registry/registry.h"

using namespace ssf;
using registry::find_credentials;

namespace {
std::filesystem::path write_config(const TempDir& dir, const std::string& json) {
  std::ofstream(dir.path() / "config.json") << json;
  return dir.path();
}
}  // namespace

TEST_CASE("credentials: explicit ones win") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  write_config(*dir, R"({"auths":{"reg:5000":{"auth":"dTpw"}}})");
  registry::Credentials given{"me", Secret("pw")};
  auto c = find_credentials("reg:5000", given, dir->path());
  REQUIRE(c.has_value());
  CHECK((*c)->username == "me");
}

TEST_CASE("credentials: config.json auths, Docker Hub's key, robot names") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  // "robot$library+ci:s3cret" and "u:p"
  write_config(*dir, R"({"auths":{"https://harbor.local":{"auth":"cm9ib3QkbGlicmFyeStjaTpzM2NyZXQ="},
                                  "https://index.docker.io/v1/":{"auth":"dTpw"}}})");
  auto harbor = find_credentials("harbor.local", std::nullopt, dir->path());
  REQUIRE(harbor.has_value());
  REQUIRE(harbor->has_value());
  CHECK((*harbor)->username == "robot$library+ci");
  CHECK((*harbor)->password.reveal() == "s3cret");
  auto hub = find_credentials("docker.io", std::nullopt, dir->path());
  REQUIRE(hub.has_value());
  CHECK((*hub)->username == "u");
  auto none = find_credentials("other:1", std::nullopt, dir->path());
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
}

TEST_CASE("credentials: a malformed auth is an error naming the file and the key") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  write_config(*dir, R"({"auths":{"reg":{"auth":"bm9jb2xvbg=="}}})");  // "nocolon"
  auto c = find_credentials("reg", std::nullopt, dir->path());
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code() == ResultCode::DockerServerError);
  CHECK(c.error().message().find("auths.\"reg\".auth") != std::string::npos);
}

TEST_CASE("credentials: no config.json is anonymous") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  auto c = find_credentials("reg", std::nullopt, dir->path());
  REQUIRE(c.has_value());
  CHECK_FALSE(c->has_value());
}

TEST_CASE("credentials: a credential helper gets the server on stdin") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  // A helper on PATH that answers for "reg:5000" only, reading the server from stdin.
  auto bin = dir->path() / "bin";
  std::filesystem::create_directories(bin);
  std::ofstream(bin / "docker-credential-test")
      << "#!/bin/sh\nread server\n[ \"$1\" = get ] || exit 2\n"
         "if [ \"$server\" = reg:5000 ]; then\n"
         "  echo '{\"ServerURL\":\"reg:5000\",\"Username\":\"helper-user\",\"Secret\":\"helper-pw\"}'\n"
         "else echo 'credentials not found in native keychain'; exit 1; fi\n";
  std::filesystem::permissions(bin / "docker-credential-test", std::filesystem::perms::owner_all);
  std::string path = bin.string() + ":" + std::getenv("PATH");
  setenv("PATH", path.c_str(), 1);
  write_config(*dir, R"({"credHelpers":{"reg:5000":"test"},"credsStore":"test"})");
  auto c = find_credentials("reg:5000", std::nullopt, dir->path());
  REQUIRE(c.has_value());
  REQUIRE(c->has_value());
  CHECK((*c)->username == "helper-user");
  CHECK((*c)->password.reveal() == "helper-pw");
  // credsStore for another server: "not found" is anonymous, not an error.
  auto other = find_credentials("other:1", std::nullopt, dir->path());
  REQUIRE(other.has_value());
  CHECK_FALSE(other->has_value());
}
