#include <catch2/catch.hpp>

#include "registry/challenge.h"

using ssf::registry::parse_challenges;

TEST_CASE("challenge: distribution's Bearer challenge") {
  auto c = parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull,push")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "bearer");
  CHECK(c[0].param("realm") == "https://auth.docker.io/token");
  CHECK(c[0].param("service") == "registry.docker.io");
  CHECK(c[0].param("scope") == "repository:library/ubuntu:pull,push");
  CHECK(c[0].param("missing").empty());
}

TEST_CASE("challenge: Harbor's Basic, case and spacing") {
  auto c = parse_challenges(R"(basic REALM = "harbor")");
  REQUIRE(c.size() == 1);
  CHECK(c[0].scheme == "basic");
  CHECK(c[0].param("realm") == "harbor");
}

TEST_CASE("challenge: several in one header, quoted escapes, unquoted values") {
  auto c = parse_challenges(
      R"(Bearer realm="https://r/t", error=insufficient_scope, Basic realm="a \"q\" b")");
  REQUIRE(c.size() == 2);
  CHECK(c[0].param("error") == "insufficient_scope");
  CHECK(c[1].scheme == "basic");
  CHECK(c[1].param("realm") == "a \"q\" b");
}

TEST_CASE("challenge: garbage never throws and yields what it can") {
  CHECK(parse_challenges("").empty());
  CHECK(parse_challenges(",,, ").empty());
  CHECK(parse_challenges("= ,").empty());
  auto c = parse_challenges("Bearer realm=\"unterminated");
  REQUIRE(c.size() == 1);
  CHECK(c[0].param("realm") == "unterminated");
}
