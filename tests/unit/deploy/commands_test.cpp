// Golden command lines: what the SSH exec requests carry, for each variation of a release.

#include <catch2/catch.hpp>

#include "deploy/deploy.h"

using namespace ssf;
using namespace ssf::deploy;

namespace {

Release sample() {
  Release r;
  r.name = "simple-test";
  r.image = "reg.local:5000/simple-test:1.0";
  r.ssf_options = "--host 0.0.0.0 --port 8100 --key k123";
  return r;
}

}  // namespace

TEST_CASE("docker run line: host network, restart policy, labels, env by name only") {
  Release r = sample();
  auto c = commands::run(r, 3);
  CHECK(remote::render(c) ==
        "sh -c '. /dev/stdin && exec \"$@\"' sh docker run -d --network host --name "
        "simple-test-r3 --restart unless-stopped --label ai.graphcore.ssf.deploy.name=simple-test "
        "--label ai.graphcore.ssf.deploy.release=3 --label "
        "ai.graphcore.ssf.deploy.image=reg.local:5000/simple-test:1.0 --env SSF_OPTIONS "
        "reg.local:5000/simple-test:1.0");
  // The key is in SSF_OPTIONS, which travels on stdin; the overlap options name the instance.
  CHECK(remote::render(c).find("k123") == std::string::npos);
  CHECK(remote::render_stdin(c) ==
        "export SSF_OPTIONS='--host 0.0.0.0 --port 8100 --key k123 --reuse-port --instance-id "
        "simple-test-r3'\n");
  // Started under another name (a first deploy takes the service's name at once): the instance
  // id still names the release, which is what a later rollback's gate asks for.
  auto named = commands::run(r, 1, "simple-test");
  CHECK(remote::render(named).find("--name simple-test --restart") != std::string::npos);
  CHECK(remote::render_stdin(named).find("--instance-id simple-test-r1'") != std::string::npos);
}

TEST_CASE("docker run line: replace strategy, GPUs, extra environment") {
  Release r = sample();
  r.strategy = Strategy::Replace;
  r.gpus = "all";
  r.env = {{"MY_KEY", "-----BEGIN KEY-----\nabc\n"}};
  auto c = commands::run(r, 1);
  CHECK(remote::render(c) ==
        "sh -c '. /dev/stdin && exec \"$@\"' sh docker run -d --network host --name "
        "simple-test-r1 --restart unless-stopped --label ai.graphcore.ssf.deploy.name=simple-test "
        "--label ai.graphcore.ssf.deploy.release=1 --label "
        "ai.graphcore.ssf.deploy.image=reg.local:5000/simple-test:1.0 --gpus all --env "
        "SSF_OPTIONS --env MY_KEY reg.local:5000/simple-test:1.0");
  CHECK(remote::render_stdin(c) ==
        "export SSF_OPTIONS='--host 0.0.0.0 --port 8100 --key k123'\n"
        "export MY_KEY='-----BEGIN KEY-----\nabc\n'\n");
}

TEST_CASE("IPU applications start with gc-docker and without --network host, as upstream") {
  Release r = sample();
  r.ipus = true;
  auto line = remote::render(commands::run(r, 1));
  CHECK(line.find("sh docker run") == std::string::npos);
  CHECK(line.find("sh gc-docker -- -d --name simple-test-r1 ") != std::string::npos);
  CHECK(line.find("--network") == std::string::npos);
}

TEST_CASE("pull without a login, and with one whose password is on stdin only") {
  Release r = sample();
  CHECK(remote::render(commands::pull(r)) == "docker pull reg.local:5000/simple-test:1.0");
  r.login = RegistryLogin{"reg.local:5000", "ci", Secret("s3cr3t")};
  auto c = commands::pull(r);
  const std::string line = remote::render(c);
  CHECK(line.rfind("sh -c 'd=$(mktemp -d) || exit 1; trap '\\''rm -rf \"$d\"'\\'' EXIT;", 0) == 0);
  CHECK(line.find("--password-stdin") != std::string::npos);
  CHECK(ends_with(line, "' sh reg.local:5000 ci reg.local:5000/simple-test:1.0"));
  CHECK(line.find("s3cr3t") == std::string::npos);
  CHECK(remote::render_stdin(c) == "s3cr3t");
}

TEST_CASE("the login-and-pull script removes its docker config on failure too") {
  // Run the script locally with a `docker` that fails the login: the temporary directory must
  // be gone afterwards and the exit status must name the login.
  auto dir = TempDir::create("deploy-test-");
  REQUIRE(dir.has_value());
  auto bin = dir->path() / "bin";
  std::filesystem::create_directories(bin);
  REQUIRE(write_file_atomic(bin / "docker",
                            "#!/bin/sh\n"
                            "echo \"$2\" > \"$(dirname \"$0\")/../config-dir\"\n"
                            "cat > /dev/null\n"
                            "[ \"$3\" = login ] && exit 1\n"
                            "exit 0\n"));
  std::filesystem::permissions(bin / "docker", std::filesystem::perms::owner_all);
  Release r = sample();
  r.login = RegistryLogin{"", "ci", Secret("pw")};
  auto c = commands::pull(r);
  ProcessOptions po;
  po.stdin_data = remote::render_stdin(c);
  po.env = {{"PATH", bin.string() + ":/usr/bin:/bin"}, {"TMPDIR", dir->path().string()}};
  auto out = run_process({"sh", "-c", remote::render(c)}, po);
  REQUIRE(out.has_value());
  CHECK(out->exit_code == 90);
  CHECK(out->out.find("docker login to Docker Hub failed") != std::string::npos);
  auto config_dir = read_file(dir->path() / "config-dir");
  REQUIRE(config_dir.has_value());
  std::string made(trim(*config_dir));
  CHECK(starts_with(made, dir->path().string()));
  CHECK_FALSE(std::filesystem::exists(made));
}

TEST_CASE("state, lifecycle and inspection commands") {
  CHECK(remote::render(commands::list()) ==
        "docker ps -a --no-trunc --format '{{.Names}}\t{{.Label "
        "\"ai.graphcore.ssf.deploy.name\"}}\t{{.Label "
        "\"ai.graphcore.ssf.deploy.release\"}}\t{{.State}}\t{{.Image}}'");
  CHECK(remote::render(commands::stop("app", 30)) == "docker stop --time 30 app");
  CHECK(remote::render(commands::start("app-r2")) == "docker start app-r2");
  CHECK(remote::render(commands::rename("app", "app-r1")) == "docker rename app app-r1");
  CHECK(remote::render(commands::remove("app-r1")) == "docker rm -f app-r1");
  CHECK(remote::render(commands::logs("app-r2", 30)) == "docker logs --tail 30 app-r2");
  CHECK(remote::render(commands::inspect_state("app-r2")) ==
        "docker inspect --format '{{.State.Status}}\t{{.State.ExitCode}}\t{{.RestartCount}}' "
        "app-r2");
}

TEST_CASE("the dry-run plan shows every step and no secret") {
  Release r = sample();
  r.login = RegistryLogin{"reg.local:5000", "ci", Secret("s3cr3t")};
  std::string plan = describe_plan(r);
  for (const char* step : {"state", "pull", "start", "gate", "retire", "rename", "prune",
                           "on failure"}) {
    CAPTURE(step);
    CHECK(plan.find(step) != std::string::npos);
  }
  CHECK(plan.find("s3cr3t") == std::string::npos);
  CHECK(plan.find("SSF_OPTIONS=--host 0.0.0.0 --port 8100 --key k123 --reuse-port --instance-id "
                  "simple-test-r2") != std::string::npos);
  CHECK(plan.find("GET http://127.0.0.1:8100/health/ready") != std::string::npos);
}
