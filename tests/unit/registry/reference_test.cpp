#include <catch2/catch.hpp>

#include "registry/registry.h"

using ssf::registry::Reference;
using ssf::registry::is_loopback_host;

namespace {
Reference parse(std::string_view text) {
  auto r = Reference::parse(text);
  REQUIRE(r.has_value());
  return *r;
}
}  // namespace

TEST_CASE("reference: Docker Hub defaults") {
  auto r = parse("ubuntu");
  CHECK(r.registry == "docker.io");
  CHECK(r.repository == "library/ubuntu");
  CHECK(r.tag == "latest");
  CHECK(r.str() == "docker.io/library/ubuntu:latest");
  CHECK(r.api_host() == "registry-1.docker.io");
  CHECK(parse("graphcore/pytorch:3.3.0-ubuntu-20.04-20230703").repository == "graphcore/pytorch");
  CHECK(parse("index.docker.io/library/debian:12").registry == "docker.io");
}

TEST_CASE("reference: host, port, nested path, tag") {
  auto r = parse("127.0.0.1:5000/library/simple-test:1.0");
  CHECK(r.registry == "127.0.0.1:5000");
  CHECK(r.repository == "library/simple-test");
  CHECK(r.tag == "1.0");
  CHECK(r.project() == "library");
  CHECK(r.manifest_reference() == "1.0");
  auto h = parse("harbor.example.com/project/app/sub:v2");
  CHECK(h.registry == "harbor.example.com");
  CHECK(h.repository == "project/app/sub");
  CHECK(parse("localhost/app").registry == "localhost");
  CHECK(parse("[::1]:5000/app:x").registry == "[::1]:5000");
  // A first component without '.' or ':' is a path, not a host.
  CHECK(parse("team/app:1").registry == "docker.io");
}

TEST_CASE("reference: digests") {
  std::string hex(64, 'a');
  auto r = parse("reg.io:443/app@sha256:" + hex);
  CHECK(r.tag.empty());
  CHECK(r.digest->str() == "sha256:" + hex);
  CHECK(r.manifest_reference() == "sha256:" + hex);
  auto both = parse("reg.io/app:1@sha256:" + hex);
  CHECK(both.tag == "1");
  CHECK(both.str() == "reg.io/app:1@sha256:" + hex);
}

TEST_CASE("reference: bad input names the text and the cause") {
  for (std::string_view bad : {"", "UPPER/case", "reg.io/", "app:", "app:-x", "a//b", "reg.io/app@sha256:12",
                               "app:tag with space", "reg:port/app", "-app"}) {
    CAPTURE(bad);
    auto r = Reference::parse(bad);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ssf::ResultCode::ArgumentError);
    CHECK(r.error().message().find("invalid image reference") != std::string::npos);
  }
}

TEST_CASE("reference: loopback hosts") {
  CHECK(is_loopback_host("127.0.0.1:5000"));
  CHECK(is_loopback_host("127.8.9.10"));
  CHECK(is_loopback_host("localhost:80"));
  CHECK(is_loopback_host("[::1]:5000"));
  CHECK_FALSE(is_loopback_host("128.0.0.1"));
  CHECK_FALSE(is_loopback_host("127.0.0.1.example.com"));
  CHECK_FALSE(is_loopback_host("harbor.example.com"));
}
