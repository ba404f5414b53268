// check_ipus against a fake `gc-info` on PATH.

#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::test {
namespace {

// Puts a `gc-info` printing `output` first on PATH (none at all when nullopt), for its lifetime.
class FakeGcInfo {
 public:
  explicit FakeGcInfo(std::optional<std::string> output) {
    old_path_ = getenv("PATH") ? getenv("PATH") : "";
    std::string path = dir_.path().string();
    if (output) {
      auto script = dir_.path() / "gc-info";
      REQUIRE(write_file_atomic(script, "#!/bin/sh\necho '" + *output + "'\n").ok());
      chmod(script.c_str(), 0755);
      path += ":" + old_path_;
    }
    // Without a fake: a PATH with no gc-info at all (the real one is absent on build machines).
    setenv("PATH", path.c_str(), 1);
  }
  ~FakeGcInfo() { setenv("PATH", old_path_.c_str(), 1); }

 private:
  TempDir dir_ = TempDir::create("gc-ssf-ipus-test-").value();
  std::string old_path_;
};

config::Config with_ipus(const std::string& ipus) {
  return load_fixture("basic", "application.ipus=" + ipus);
}

TEST_CASE("apps with ipus: 0 need no IPU tooling", "[ipus]") {
  FakeGcInfo none(std::nullopt);
  CHECK(check_ipus(with_ipus("0"), 4).ok());
}

TEST_CASE("without gc-info there are no IPUs: 255 with upstream's message", "[ipus]") {
  LogCapture log;
  FakeGcInfo none(std::nullopt);
  auto st = check_ipus(with_ipus("1"), 2);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ResultCode::UnmetRequirement);
  CHECK(st.error().message() == "IPUs count does not match application requirements.");
  CHECK(log.contains("Insufficient IPUs - needs to perform run step. Required 2, available 0."));
}

TEST_CASE("the IPU count is ipus x instances", "[ipus]") {
  LogCapture log;
  FakeGcInfo four("4");
  CHECK(check_ipus(with_ipus("2"), 2).ok());
  CHECK_FALSE(check_ipus(with_ipus("2"), 3).ok());
  CHECK_FALSE(check_ipus(with_ipus("5"), 1, "test").ok());
  CHECK(log.contains("Insufficient IPUs - needs to perform test step. Required 5, available 4."));
}

TEST_CASE("gc-info output that is not a number counts as no IPUs", "[ipus]") {
  FakeGcInfo garbage("lots");
  CHECK_FALSE(check_ipus(with_ipus("1"), 1).ok());
}

}  // namespace
}  // namespace ssf::apphost::test
