#include <catch2/catch.hpp>

#include "registry/base64.h"
#include "registry/wire.h"

using namespace ssf::registry;

TEST_CASE("wire: token responses: token, access_token, expiry") {
  auto t = parse_token_response(R"({"token":"abc","expires_in":300})");
  REQUIRE(t.has_value());
  CHECK(t->token == "abc");
  CHECK(t->expires_in == 300);
  auto oauth = parse_token_response(R"({"access_token":"xyz"})");
  REQUIRE(oauth.has_value());
  CHECK(oauth->token == "xyz");
  CHECK(oauth->expires_in == 60);
  CHECK_FALSE(parse_token_response("not json").has_value());
  CHECK_FALSE(parse_token_response(R"({"token":""})").has_value());
  CHECK(parse_token_response(R"({"token":"a","expires_in":-5})")->expires_in == 60);
}

TEST_CASE("wire: error bodies") {
  auto e = parse_error_body(
      R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]})");
  REQUIRE(e.size() == 1);
  CHECK(e[0].code == "NAME_UNKNOWN");
  CHECK(e[0].message == "repository name not known to registry");
  CHECK(parse_error_body("<html>").empty());
  CHECK(parse_error_body(R"({"errors":"no"})").empty());
  CHECK(parse_error_body(R"({"errors":[1,{"code":5}]})").size() == 1);
}

TEST_CASE("wire: docker config.json") {
  auto c = parse_docker_config(R"({
    "auths": {"https://index.docker.io/v1/": {"auth": "dTpw"}, "reg:5000": {}},
    "credsStore": "desktop",
    "credHelpers": {"gcr.io": "gcloud", "bad": 3}
  })");
  REQUIRE(c.has_value());
  CHECK(c->auths.at("https://index.docker.io/v1/") == "dTpw");
  CHECK(c->auths.count("reg:5000") == 0);
  CHECK(c->creds_store == "desktop");
  CHECK(c->cred_helpers.at("gcr.io") == "gcloud");
  CHECK(c->cred_helpers.count("bad") == 0);
  CHECK_FALSE(parse_docker_config("[]").has_value());
}

TEST_CASE("wire: credential helper answers") {
  auto a = parse_helper_answer(R"({"ServerURL":"reg","Username":"u","Secret":"s"})");
  REQUIRE(a.has_value());
  CHECK(a->username == "u");
  CHECK(a->secret == "s");
  CHECK_FALSE(parse_helper_answer(R"({"Username":"u"})").has_value());
}

TEST_CASE("base64: round trips and padding") {
  for (std::string text : {"", "a", "ab", "abc", "abcd", "robot$library+ci:pa:ss"}) {
    CAPTURE(text);
    auto decoded = base64_decode(base64_encode(text));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == text);
  }
  CHECK(base64_encode("user:pass") == "dXNlcjpwYXNz");
  CHECK_FALSE(base64_decode("abc").has_value());
  CHECK_FALSE(base64_decode("!!!!").has_value());
}
