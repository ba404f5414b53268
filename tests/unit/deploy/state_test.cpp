#include <catch2/catch.hpp>

#include "deploy/deploy.h"

using namespace ssf;
using namespace ssf::deploy;

TEST_CASE("parse_state keeps the deployment's containers, sorted by release") {
  const std::string ps =
      "app\tapp\t3\trunning\treg/app:v3\n"
      "app-r1\tapp\t1\texited\treg/app:v1\n"
      "other\tother\t1\trunning\treg/other:1\n"
      "app-r2\tapp\t2\texited\treg/app:v2\n"
      "random\t\t\trunning\tnginx\n";
  auto state = parse_state("app", ps);
  REQUIRE(state.has_value());
  REQUIRE(state->containers.size() == 3);
  CHECK(state->containers[0].name == "app-r1");
  CHECK(state->containers[2].name == "app");
  CHECK(state->newest_release() == 3);
  REQUIRE(state->live("app") != nullptr);
  CHECK(state->live("app")->release == 3);
}

TEST_CASE("parse_state adopts a container of upstream's boot script (no labels) as release 0") {
  auto state = parse_state("app", "app\t\t\trunning\tgraphcore/simple-server-framework:1.2.0\n");
  REQUIRE(state.has_value());
  REQUIRE(state->containers.size() == 1);
  CHECK(state->containers[0].release == 0);
  CHECK(state->live("app") != nullptr);
  CHECK(state->newest_release() == 0);
}

TEST_CASE("parse_state: nothing deployed, and output it cannot read") {
  auto empty = parse_state("app", "");
  REQUIRE(empty.has_value());
  CHECK(empty->containers.empty());
  CHECK(empty->live("app") == nullptr);
  auto bad = parse_state("app", "what is this\n");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == ResultCode::GcoreDeploymentError);
}
