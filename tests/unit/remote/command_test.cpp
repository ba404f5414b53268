#include <catch2/catch.hpp>

#include "remote/remote.h"

using namespace ssf;
using namespace ssf::remote;

TEST_CASE("shell_quote leaves safe words alone and single-quotes the rest") {
  CHECK(shell_quote("docker") == "docker");
  CHECK(shell_quote("--network=host") == "--network=host");
  CHECK(shell_quote("10.0.0.1:5000/app:v1") == "10.0.0.1:5000/app:v1");
  CHECK(shell_quote("") == "''");
  CHECK(shell_quote("a b") == "'a b'");
  CHECK(shell_quote("{{.State.Status}}") == "'{{.State.Status}}'");
  CHECK(shell_quote("it's") == "'it'\\''s'");
  CHECK(shell_quote("$HOME; rm -rf /") == "'$HOME; rm -rf /'");
  CHECK(shell_quote("line1\nline2") == "'line1\nline2'");
}

TEST_CASE("shell_quote round-trips through a real shell") {
  const std::vector<std::string> words = {"plain", "a b", "it's", "$(id)", "`id`", "\"q\"", "\\",
                                          "*", "", "x\ny", "'", "''", "!", "a'b'c"};
  for (const auto& word : words) {
    auto out = run_process({"sh", "-c", "printf %s " + shell_quote(word)});
    REQUIRE(out.has_value());
    CHECK(out->out == word);
  }
}

TEST_CASE("render joins quoted words; secrets in env travel on stdin") {
  Command plain{{"docker", "ps", "--format", "{{.Names}}"}, {}, {}};
  CHECK(render(plain) == "docker ps --format '{{.Names}}'");
  CHECK(render_stdin(plain).empty());

  Command with_stdin{{"docker", "login", "--password-stdin"}, Secret("pw"), {}};
  CHECK(render(with_stdin) == "docker login --password-stdin");
  CHECK(render_stdin(with_stdin) == "pw");

  Command with_env{{"docker", "run", "-e", "SSF_OPTIONS", "img"}, {},
                   {{"SSF_OPTIONS", "--key k'1 --port 80"}}};
  CHECK(render(with_env) ==
        "sh -c '. /dev/stdin && exec \"$@\"' sh docker run -e SSF_OPTIONS img");
  CHECK(render(with_env).find("k'1") == std::string::npos);
  CHECK(render_stdin(with_env) == "export SSF_OPTIONS='--key k'\\''1 --port 80'\n");
}

TEST_CASE("the env wrapper gives the command its variables, multi-line values too") {
  Command c{{"printenv", "K"}, {}, {{"K", "-----BEGIN-----\nabc'd\n-----END-----"}}};
  ProcessOptions po;
  po.stdin_data = render_stdin(c);
  auto out = run_process({"sh", "-c", render(c)}, po);
  REQUIRE(out.has_value());
  CHECK(out->exit_code == 0);
  CHECK(out->out == "-----BEGIN-----\nabc'd\n-----END-----\n");
}

TEST_CASE("parse_target reads user, host and port") {
  auto t = parse_target("10.0.0.5", "ubuntu");
  REQUIRE(t.has_value());
  CHECK(t->user == "ubuntu");
  CHECK(t->host == "10.0.0.5");
  CHECK(t->port == 22);
  CHECK(t->to_string() == "ubuntu@10.0.0.5");

  t = parse_target("root@edge.example:2222", "ubuntu");
  REQUIRE(t.has_value());
  CHECK(t->user == "root");
  CHECK(t->host == "edge.example");
  CHECK(t->port == 2222);
  CHECK(t->to_string() == "root@edge.example:2222");

  t = parse_target("[fd00::1]:2200");
  REQUIRE(t.has_value());
  CHECK(t->host == "fd00::1");
  CHECK(t->port == 2200);
  CHECK(t->to_string() == "[fd00::1]:2200");

  t = parse_target("fd00::1");
  REQUIRE(t.has_value());
  CHECK(t->host == "fd00::1");
  CHECK(t->port == 22);
}

TEST_CASE("parse_target refuses an empty host and bad ports") {
  for (const char* bad : {"", "user@", "host:0", "host:65536", "host:x", "host:", "[::1"}) {
    auto t = parse_target(bad);
    CHECK_FALSE(t.has_value());
    if (!t.has_value()) CHECK(t.error().code() == ResultCode::ArgumentError);
  }
}
