#include <stdlib.h>

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::test {
namespace {

TEST_CASE("the shim is found through $SSF_PYTHON_SHIM", "[shim]") {
  use_repo_shim();
  auto dir = find_shim_dir();
  REQUIRE(dir.has_value());
  CHECK(*dir == source_dir() / "templates" / "python");
}

TEST_CASE("a shim directory without the worker is passed over, for the binary's own", "[shim]") {
  auto empty = TempDir::create().value();
  setenv("SSF_PYTHON_SHIM", empty.path().c_str(), 1);
  auto dir = find_shim_dir();
  use_repo_shim();
  // <build>/share/gc-ssf/python exists once gc-ssf has been built beside the test binary's
  // <build>/tests: then it is found, else the error names both places.
  if (dir.has_value()) {
    CHECK(dir->parent_path().filename() == "gc-ssf");
    CHECK(std::filesystem::exists(*dir / "ssf" / "_worker.py"));
  } else {
    CHECK(dir.error().code() == ResultCode::FrameworkResourceError);
    CHECK_THAT(dir.error().message(),
               Catch::Contains(empty.path().string() + " ($SSF_PYTHON_SHIM)"));
    CHECK_THAT(dir.error().message(), Catch::Contains("share/gc-ssf/python"));
  }
}

}  // namespace
}  // namespace ssf::apphost::test
