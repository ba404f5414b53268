// `custom:` names a FastAPI router file that upstream includes as is; gc-ssf's C++ server cannot,
// so the config is refused (34) naming the field and the file, not served without those routes.

#include <catch2/catch.hpp>
#include <filesystem>

#include "config/config.h"
#include "log_capture.h"

using namespace ssf::config;
using ssf::config::test::LogCapture;

TEST_CASE("an endpoint with a custom router file is refused, naming field and file") {
  LogCapture logs;
  auto dict = parse_yaml(
      "application:\n  id: app\n  module: app.py\nendpoints:\n  - id: ok\n    inputs: []\n"
      "    outputs: []\n  - id: e\n    custom: routers/e.py\n    inputs: []\n    outputs: []\n",
      "ssf_config.yaml");
  REQUIRE(dict.has_value());
  REQUIRE(expand_all(*dict, "ssf_config.yaml").ok());
  auto built = build_config(std::move(*dict), "ssf_config.yaml", {});
  REQUIRE_FALSE(built.has_value());
  CHECK(built.error().code() == ssf::ResultCode::ApplicationConfigError);
  // The file is named as given and as resolved against the config's directory.
  std::string resolved = (std::filesystem::current_path() / "routers/e.py").string();
  CHECK(built.error().message() ==
        "ssf_config.yaml:9:13: endpoints[1].custom: 'routers/e.py' names a FastAPI router file (" +
            resolved +
            "), which gc-ssf's server cannot include; declare its routes as endpoints with inputs "
            "and outputs instead");
}

TEST_CASE("an endpoint without custom, or with a null one, loads") {
  LogCapture logs;
  auto dict = parse_yaml(
      "application:\n  id: app\n  module: app.py\nendpoints:\n  - id: e\n    custom:\n"
      "    inputs: []\n    outputs: []\n",
      "ssf_config.yaml");
  REQUIRE(dict.has_value());
  REQUIRE(expand_all(*dict, "ssf_config.yaml").ok());
  auto built = build_config(std::move(*dict), "ssf_config.yaml", {});
  REQUIRE(built.has_value());
  CHECK_FALSE(built->endpoints[0].custom.has_value());
}
