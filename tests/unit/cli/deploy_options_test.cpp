// SSF_OPTIONS as upstream builds them (ssf-behaviour.md §8.1 and §8.2's example), and what
// gc-ssf forwards beyond them; the release and the targets read from the options.

#include <catch2/catch.hpp>
#include <cstdlib>

#include "deploy_options.h"

using namespace ssf;
using namespace ssf::cli;

namespace {

Context sample() {
  Context c;
  c.config.application.id = "whisper_api";
  c.config.application.package.tag = "whisper_api:1.0";
  c.config.application.ipus = 0;
  c.config.application.startup_timeout = 3000;
  return c;
}

}  // namespace

TEST_CASE("SSF_OPTIONS of upstream's example (--deploy-package, --add-ssh-key, --key)") {
  Context c = sample();
  c.options.deploy_package = true;
  c.options.add_ssh_key = {"MY_KEY"};
  c.options.key = "k123";
  c.options.package_tag = "user/whisper:latest";
  CHECK(join(container_options(c), " ") ==
        "--add-ssh-key MY_KEY --host 0.0.0.0 --port 8100 --replicate-application 1 "
        "--fastapi-replicate-server 1 --grpc-max-connections 10 --key k123 --file-log-level DEBUG "
        "--stdout-log-level INFO --prometheus-buckets 0.01 0.025 0.05 0.075 0.1 0.25 0.5 0.75 1 "
        "1.5 2 2.5 3 3.5 4 4.5 5 7.5 10 30 60 --prometheus-endpoint /metrics "
        "--watchdog-ready-period 5");
}

TEST_CASE("SSF_OPTIONS of the generic SSF image: the container fetches and builds the app") {
  Context c = sample();
  c.options.config = "git@github.com:org/app.git|ssf_config.yaml";
  c.options.stop_on_error = true;
  auto words = container_options(c);
  std::string line = join(words, " ");
  CHECK(line.find("--prometheus-endpoint /metrics --config "
                  "git@github.com:org/app.git|ssf_config.yaml init build run --stop-on-error "
                  "--watchdog-ready-period 5") != std::string::npos);
}

TEST_CASE("SSF_OPTIONS: groups, options upstream forgets, custom args last") {
  Context c = sample();
  c.options.deploy_package = true;
  c.options.enable_ssl = true;
  c.options.enable_session_authentication = true;
  c.options.api = "grpc";
  c.options.batching_timeout = 0.5;
  c.options.max_allowed_restarts = 5;
  c.options.watchdog_request_threshold = 2.5;
  c.options.deploy_custom_args = "--modify-config application.trace=False";
  std::string line = join(container_options(c), " ");
  CHECK(line.find("--watchdog-ready-period 5 --enable-ssl --ssl-certificate-file ssl-cert.pem "
                  "--ssl-key-file ssl-key.pem --enable-session-authentication "
                  "--session-authentication-module-file ssf/default_authentication.py "
                  "--session-authentication-timeout 10080 --api grpc --batching-timeout 0.5 "
                  "--watchdog-request-threshold 2.5 --max-allowed-restarts 5 --modify-config "
                  "application.trace=False") != std::string::npos);
  CHECK(ends_with(line, "application.trace=False"));
}

TEST_CASE("the release: image, name, IPUs, health address, strategy") {
  Context c = sample();
  c.options.deploy_package = true;
  auto r = make_release(c);
  REQUIRE(r.has_value());
  CHECK(r->image == "whisper_api:1.0");
  CHECK(r->name == "whisper_api");
  CHECK_FALSE(r->ipus);
  CHECK(r->health_host == "127.0.0.1");
  CHECK(r->port == 8100);
  CHECK(r->startup_timeout == std::chrono::seconds(3000));
  CHECK(r->strategy == deploy::Strategy::Overlap);
  CHECK_FALSE(r->login.has_value());

  c.options.deploy_package = false;
  c.options.deploy_name = "edge";
  c.options.deploy_strategy = "replace";
  c.config.application.ipus = 2;
  r = make_release(c);
  REQUIRE(r.has_value());
  CHECK(r->image == "graphcore/simple-server-framework:1.2.0");
  CHECK(r->name == "edge");
  CHECK(r->ipus);
  CHECK(r->strategy == deploy::Strategy::Replace);
}

TEST_CASE("a registry login needs a password: option, environment, never silently none") {
  Context c = sample();
  c.options.docker_username = "ci";
  ::unsetenv("SSF_DOCKER_PASSWORD");
  ::unsetenv("SSF_DOCKER_USERNAME");
  auto missing = make_release(c);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == ResultCode::ArgumentError);

  ::setenv("SSF_DOCKER_PASSWORD", "from-env", 1);
  auto from_env = make_release(c);
  REQUIRE(from_env.has_value());
  REQUIRE(from_env->login.has_value());
  CHECK(from_env->login->password.reveal() == "from-env");
  CHECK(from_env->login->server.empty());  // the generic image is on Docker Hub

  // The user name may come from the environment too, as for publish; the login goes to the
  // registry of the image when no --container-server is given.
  c.options.docker_username.reset();
  c.options.deploy_package = true;
  c.options.package_tag = "10.0.0.1:5000/library/app:2";
  ::setenv("SSF_DOCKER_USERNAME", "robot", 1);
  auto both_from_env = make_release(c);
  ::unsetenv("SSF_DOCKER_USERNAME");
  ::unsetenv("SSF_DOCKER_PASSWORD");
  REQUIRE(both_from_env.has_value());
  REQUIRE(both_from_env->login.has_value());
  CHECK(both_from_env->login->username == "robot");
  CHECK(both_from_env->login->server == "10.0.0.1:5000");
  c.options.docker_username = "ci";

  c.options.docker_password = "opt";
  c.options.container_server = "reg.local:5000";
  auto from_option = make_release(c);
  REQUIRE(from_option.has_value());
  CHECK(from_option->login->password.reveal() == "opt");
  CHECK(from_option->login->server == "reg.local:5000");
}

TEST_CASE("targets: comma-separated addresses and a targets file, default user") {
  auto dir = TempDir::create();
  REQUIRE(dir.has_value());
  auto file = dir->path() / "targets";
  REQUIRE(write_file_atomic(file, "# fleet\n10.0.0.3\n\nroot@10.0.0.4:2222  # spare\n"));
  Context c = sample();
  c.options.deploy_gcore_target_address = "10.0.0.1, 10.0.0.2:2200";
  c.options.deploy_gcore_target_username = "ubuntu";
  c.options.deploy_targets_file = file.string();
  auto targets = deploy_targets(c);
  REQUIRE(targets.has_value());
  std::vector<std::string> got;
  for (const auto& t : *targets) got.push_back(t.to_string());
  CHECK(got == std::vector<std::string>{"ubuntu@10.0.0.1", "ubuntu@10.0.0.2:2200",
                                        "ubuntu@10.0.0.3", "root@10.0.0.4:2222"});

  Context none = sample();
  auto missing = deploy_targets(none);
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().code() == ResultCode::GcoreDeploymentError);
  CHECK(missing.error().message() == "Target address must be specified");
}
