#include "apphost/frames.h"

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::frames {
namespace {

using protocol::Json;

protocol::Frame decode(const std::string& frame) {
  auto decoded = protocol::decode_body(frame.substr(4));
  REQUIRE(decoded.has_value());
  return std::move(decoded).value();
}

TEST_CASE("the init frame carries the config, the options and the application", "[frames]") {
  auto config = test::load_fixture("basic");
  config::Options options;
  options.port = 8123;
  options.unknown_args = {"--unknown"};
  options.file_log_level = "INFO";
  options.stdout_log_level = "WARNING";
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  spec.replica = 3;
  spec.mode = WorkerSpec::Mode::Build;

  Json init = Json::parse(init_header(spec));
  CHECK(init["op"] == "init");
  CHECK(init["mode"] == "build");
  CHECK(init["replica"] == 3);
  CHECK(init["log_level"] == 20);
  CHECK(init["config"]["test"]["build_result"] == 0);
  CHECK(init["config"]["application"]["version"].is_number_float());
  CHECK(init["args"]["port"] == 8123);
  CHECK(init["unknown_args"] == Json::array({"--unknown"}));
  CHECK(init["config_file"] == (test::fixture_dir("basic") / "ssf_config.yaml").string());

  const Json& app = init["application"];
  CHECK(app["id"] == "basic-test");
  CHECK(app["name"] == "Basic test API");
  CHECK(app["version"] == "1.0");
  CHECK(app["file"] == (test::fixture_dir("basic") / "basic_app.py").string());
  CHECK(app["file_dir"] == test::fixture_dir("basic").string());
  CHECK(app["ipus"] == 0);
  CHECK(app["max_batch_size"] == 1);
  CHECK(app["trace"] == false);
  CHECK(app["license_name"].is_null());
}

TEST_CASE("syspaths are listed so that inserting each at the front gives upstream's order",
          "[frames]") {
  test::use_repo_shim();
  auto dir = TempDir::create().value();
  std::filesystem::create_directories(dir.path() / "sub");
  REQUIRE(write_file_atomic(dir.path() / "sub" / "app.py", "").ok());
  REQUIRE(write_file_atomic(dir.path() / "ssf_config.yaml",
                            "application: {id: p, module: sub/app.py, ipus: 0, syspaths: [a, b]}\n"
                            "endpoints: []\n")
              .ok());
  auto config = test::load(dir.path() / "ssf_config.yaml");
  config::Options options;
  WorkerSpec spec;
  spec.config = &config;
  spec.options = &options;
  Json init = Json::parse(init_header(spec));
  auto d = dir.path();
  CHECK(init["syspaths"] ==
        Json::array({d.string(), (d / "sub").string(), (d / "b").string(), (d / "a").string()}));
}

TEST_CASE("a request frame splices the params and meta texts", "[frames]") {
  auto frame = decode(request_frame(7, {R"({"x":1})", R"({"x":2})"}, {R"({"m":1})", "{}"}));
  CHECK(frame.header ==
        Json::parse(R"({"op":"request","id":7,"params":[{"x":1},{"x":2}],"meta":[{"m":1},{}]})"));
  CHECK(decode(watchdog_frame(9)).header == Json::parse(R"({"op":"watchdog","id":9})"));
  CHECK(decode(stop_frame()).op() == "stop");
}

TEST_CASE("results: top-level blobs become bytes, the rest outputs", "[frames]") {
  protocol::BlobArea blobs;
  Json header = {{"op", "result"},
                 {"id", 1},
                 {"results", Json::array({Json{{"png", blobs.add("PNG")}, {"n", 1}},
                                          Json{{"list", Json::array({blobs.add("in")})}},
                                          Json("not an object")})}};
  auto frame = decode(protocol::encode_message(header, blobs.data()));
  auto results = app_results(frame);
  REQUIRE(results.size() == 3);
  CHECK(results[0].bytes.at("png") == "PNG");
  CHECK(results[0].outputs.find("png") == nullptr);
  CHECK(results[0].outputs.find("n")->as_int() == 1);
  CHECK(results[1].bytes.empty());
  CHECK(results[1].outputs.find("list")->as_list()[0].as_string() == "in");
  CHECK(results[2].outputs.kind() == config::Value::Kind::Map);
  CHECK(results[2].outputs.as_map().empty());
}

TEST_CASE("Python's logging levels map to ours", "[frames]") {
  CHECK(level_from_python(5) == log::Level::Debug);
  CHECK(level_from_python(10) == log::Level::Debug);
  CHECK(level_from_python(20) == log::Level::Info);
  CHECK(level_from_python(25) == log::Level::Info);
  CHECK(level_from_python(30) == log::Level::Warning);
  CHECK(level_from_python(40) == log::Level::Error);
  CHECK(level_from_python(50) == log::Level::Critical);
}

}  // namespace
}  // namespace ssf::apphost::frames
