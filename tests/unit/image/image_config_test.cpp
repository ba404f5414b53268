#include <catch2/catch.hpp>

#include "image/image.h"

using namespace ssf::image;

TEST_CASE("image config: canonical JSON with the fields Docker and the OCI spec read") {
  ImageConfig c;
  c.created = rfc3339(0);
  c.author = "gc-ssf";
  c.config.entrypoint = std::vector<std::string>{"/opt/ssf/bin/gc-ssf"};
  c.config.cmd = std::vector<std::string>{"run"};
  c.config.env = {"PATH=/usr/bin"};
  c.config.exposed_ports = {"8100/tcp"};
  c.config.working_dir = "/src";
  c.config.labels = {{"b", "2"}, {"a", "1"}};
  c.config.healthcheck = Healthcheck{{"CMD", "x"}, 10, 5, 0, 3};
  c.diff_ids = {Digest::of("layer")};
  c.history = {HistoryEntry{rfc3339(0), "gc-ssf package: runtime", "gc-ssf", "", false}};
  CHECK(c.to_json() ==
        R"({"created":"1970-01-01T00:00:00Z","author":"gc-ssf","architecture":"amd64","os":"linux",)"
        R"("config":{"ExposedPorts":{"8100/tcp":{}},"Env":["PATH=/usr/bin"],)"
        R"("Entrypoint":["/opt/ssf/bin/gc-ssf"],"Cmd":["run"],"WorkingDir":"/src",)"
        R"("Labels":{"a":"1","b":"2"},"Healthcheck":{"Test":["CMD","x"],"Interval":10,)"
        R"("Timeout":5,"Retries":3}},"rootfs":{"type":"layers","diff_ids":[")" +
            Digest::of("layer").str() +
            R"("]},"history":[{"created":"1970-01-01T00:00:00Z","author":"gc-ssf",)"
            R"("created_by":"gc-ssf package: runtime"}]})");
  auto back = ImageConfig::parse(c.to_json());
  REQUIRE(back);
  CHECK(back->config == c.config);
  CHECK(back->diff_ids == c.diff_ids);
  CHECK(back->history == c.history);
  CHECK(back->to_json() == c.to_json());
}

TEST_CASE("image config: a base's config as Docker writes it is read, unknown fields dropped") {
  std::string docker = R"({"architecture":"amd64","os":"linux","container":"abc",
    "config":{"Env":["PATH=/bin","LANG=C"],"Cmd":["bash"],"ArgsEscaped":true,"Entrypoint":null,
              "OnBuild":null,"Labels":null},
    "rootfs":{"type":"layers","diff_ids":[")" + Digest::of("x").str() + R"("]},
    "history":[{"created":"2024-01-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file"},
               {"created_by":"CMD [\"bash\"]","empty_layer":true}]})";
  auto c = ImageConfig::parse(docker);
  REQUIRE(c);
  CHECK(c->config.env == std::vector<std::string>{"PATH=/bin", "LANG=C"});
  CHECK(c->config.cmd == std::vector<std::string>{"bash"});
  CHECK_FALSE(c->config.entrypoint);
  CHECK(c->history.size() == 2);
  CHECK(c->history[1].empty_layer);
  c->config.set_env("LANG", "C.UTF-8");
  c->config.set_env("SSF", "1");
  CHECK(c->config.env == std::vector<std::string>{"PATH=/bin", "LANG=C.UTF-8", "SSF=1"});
  CHECK(c->config.get_env("PATH") == "/bin");
  CHECK_FALSE(c->config.get_env("PAT"));
}

TEST_CASE("image config: malformed configs are errors, not crashes") {
  for (std::string bad : {"[]", "{", R"({"rootfs":{"diff_ids":["nope"]}})", R"({"os":"linux"})",
                          R"({"rootfs":{"diff_ids":[]},"config":{"Healthcheck":{"Interval":"x"}}})",
                          R"({"rootfs":{"diff_ids":[]},"config":{"Env":"PATH"}})"}) {
    CAPTURE(bad);
    auto c = ImageConfig::parse(bad);
    REQUIRE_FALSE(c);
    CHECK(c.error().code() == ssf::ResultCode::PackagingError);
    CHECK(c.error().message().find("malformed image config") == 0);
  }
}

TEST_CASE("image config: rfc3339 of SOURCE_DATE_EPOCH values") {
  CHECK(rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(rfc3339(1700000000) == "2023-11-14T22:13:20Z");
}
