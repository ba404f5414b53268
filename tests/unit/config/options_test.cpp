#include <catch2/catch.hpp>

#include <set>

#include "config/config.h"

using namespace ssf::config;

namespace {

const OptionSpec* find_option(std::string_view long_name) {
  for (const auto& spec : option_table()) {
    if (spec.long_name == long_name) return &spec;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("the option table has every upstream option, once") {
  // ssf-behaviour.md §1.3, every table row.
  const std::vector<std::string_view> upstream = {
      "--config",
      "--api",
      "--add-ssh-key",
      "--modify-config",
      "--file-log-level",
      "--stdout-log-level",
      "--host",
      "--port",
      "--replicate-application",
      "--key",
      "--watchdog-request-threshold",
      "--watchdog-request-average",
      "--watchdog-ready-period",
      "--batching-timeout",
      "--max-allowed-restarts",
      "--stop-on-error",
      "--prometheus-disabled",
      "--prometheus-buckets",
      "--prometheus-endpoint",
      "--prometheus-port",
      "--package-baseimage",
      "--package-name",
      "--package-tag",
      "--docker-username",
      "--docker-password",
      "--container-server",
      "--deploy-platform",
      "--deploy-name",
      "--deploy-package",
      "--deploy-custom-args",
      "--deploy-gcore-target-username",
      "--deploy-gcore-target-address",
      "--deploy-paperspace-registry",
      "--deploy-paperspace-project-id",
      "--deploy-paperspace-cluster-id",
      "--deploy-paperspace-api-key",
      "--deploy-paperspace-replicas",
      "--deploy-paperspace-spec-file",
      "--test-skip-stop",
      "--test-skip-start",
      "--enable-cors-middleware",
      "--cors-allow-origin-regex",
      "--cors-allow-credentials",
      "--cors-allow-methods",
      "--cors-allow-headers",
      "--cors-expose-headers",
      "--cors-max-age",
      "--enable-ssl",
      "--ssl-certificate-file",
      "--ssl-key-file",
      "--enable-session-authentication",
      "--session-authentication-module-file",
      "--session-authentication-timeout",
      "--fastapi-replicate-server",
      "--grpc-max-connections",
  };
  // gc-ssf's own options, beyond upstream's.
  const std::vector<std::string_view> own = {"--max-request-size", "--request-timeout",
                                             "--max-queue", "--in-process",
                                             // deploy's (step 6)
                                             "--reuse-port", "--instance-id",
                                             "--deploy-targets-file", "--deploy-batch-size",
                                             "--deploy-strategy", "--deploy-gpus", "--ssh-key",
                                             "--ssh-accept-new-host-key", "--ssh-connect-timeout",
                                             "--logs-tail", "--dry-run",
                                             // package's (step 4)
                                             "--package-output", "--builder",
                                             // publish's (step 5)
                                             "--docker-password-stdin", "--registry-ca",
                                             "--insecure-registry"};
  CHECK(option_table().size() == upstream.size() + own.size());
  std::set<std::string_view> names, dests, shorts;
  for (const auto& spec : option_table()) {
    CAPTURE(spec.long_name);
    CHECK(names.insert(spec.long_name).second);
    CHECK(dests.insert(spec.dest).second);
    if (!spec.short_name.empty()) CHECK(shorts.insert(spec.short_name).second);
    // argparse's dest: the long name without dashes, '-' → '_'.
    std::string dest(spec.long_name.substr(2));
    for (char& c : dest) c = c == '-' ? '_' : c;
    CHECK(spec.dest == dest);
    CHECK_FALSE(spec.help.empty());
    CHECK(spec.help.find('\n') == std::string_view::npos);
    CHECK_FALSE(group_title(spec.group).empty());
  }
  for (auto name : upstream) {
    CAPTURE(name);
    CHECK(find_option(name) != nullptr);
  }
}

TEST_CASE("short names, choices, secrets and expansion") {
  struct Case {
    std::string_view long_name;
    std::string_view short_name;
    OptionGroup group;
  };
  const Case cases[] = {
      {"--config", "-c", OptionGroup::General},
      {"--api", "-a", OptionGroup::General},
      {"--port", "-p", OptionGroup::Runtime},
      {"--replicate-application", "-ra", OptionGroup::Runtime},
      {"--key", "-k", OptionGroup::Runtime},
      {"--fastapi-replicate-server", "-rs", OptionGroup::FastApi},
      {"--grpc-max-connections", "", OptionGroup::Grpc},
      {"--test-skip-stop", "", OptionGroup::Test},
      {"--deploy-name", "", OptionGroup::Deploy},
      {"--package-tag", "", OptionGroup::Container},
  };
  for (const auto& c : cases) {
    CAPTURE(c.long_name);
    const OptionSpec* spec = find_option(c.long_name);
    REQUIRE(spec);
    CHECK(spec->short_name == c.short_name);
    CHECK(spec->group == c.group);
  }
  using V = std::vector<std::string_view>;
  CHECK(find_option("--api")->choices == V{"fastapi", "grpc"});
  CHECK(find_option("--file-log-level")->choices ==
        V{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"});
  CHECK(find_option("--stdout-log-level")->choices ==
        V{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"});
  CHECK(find_option("--deploy-platform")->choices == V{"Paperspace", "Gcore"});
  CHECK(find_option("--port")->choices.empty());

  for (const auto& spec : option_table()) {
    CAPTURE(spec.long_name);
    bool secret = spec.long_name == "--key" || spec.long_name == "--docker-password";
    CHECK(spec.secret == secret);
    CHECK(spec.expand == (spec.long_name != "--modify-config"));
  }
}

TEST_CASE("group titles are upstream's") {
  CHECK(group_title(OptionGroup::General) == "# General options");
  CHECK(group_title(OptionGroup::Runtime) == "# Runtime (gc-ssf run) options");
  CHECK(group_title(OptionGroup::Container) == "# Container options (package and publish)");
  CHECK(group_title(OptionGroup::Deploy) == "# Deployment (gc-ssf deploy) options");
  CHECK(group_title(OptionGroup::Test) == "# Test (gc-ssf test) options");
  CHECK(group_title(OptionGroup::FastApi) == "# FastAPI API options");
  CHECK(group_title(OptionGroup::Grpc) == "# gRPC API options");
}

TEST_CASE("to_value holds every option under its dest, with upstream's defaults") {
  Options options;
  options.commands = {"X", "build"};
  Value v = options.to_value();
  REQUIRE(v.kind() == Value::Kind::Map);
  CHECK(v.as_map().size() == option_table().size() + 1);
  CHECK(v.as_map().front().first == "commands");
  struct Case {
    const char* dest;
    const char* python;
  };
  const Case cases[] = {
      {"commands", "['X', 'build']"},
      {"config", "None"},
      {"api", "fastapi"},
      {"add_ssh_key", "None"},
      {"modify_config", "None"},
      {"file_log_level", "DEBUG"},
      {"stdout_log_level", "INFO"},
      {"host", "0.0.0.0"},
      {"port", "8100"},
      {"replicate_application", "1"},
      {"key", "None"},
      {"watchdog_request_threshold", "0.0"},
      {"watchdog_request_average", "3"},
      {"watchdog_ready_period", "5"},
      {"batching_timeout", "1.0"},
      {"max_allowed_restarts", "2"},
      {"stop_on_error", "False"},
      {"prometheus_disabled", "False"},
      {"prometheus_buckets",
       "[0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, "
       "5.0, 7.5, 10.0, 30.0, 60.0]"},
      {"prometheus_endpoint", "/metrics"},
      {"prometheus_port", ""},
      {"deploy_platform", "Gcore"},
      {"deploy_paperspace_registry", "Graphcore Cloud Solutions Dev R-O"},
      {"deploy_paperspace_cluster_id", "clehbtvty"},
      {"deploy_paperspace_replicas", "1"},
      {"cors_allow_origin_regex", "http.*://(?:localhost|127\\.0\\.0\\.1)(?::\\d+)?"},
      {"cors_allow_credentials", "True"},
      {"cors_max_age", "600"},
      {"session_authentication_module_file", "ssf/default_authentication.py"},
      {"session_authentication_timeout", "10080"},
      {"fastapi_replicate_server", "1"},
      {"grpc_max_connections", "10"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.dest);
    const Value* field = v.find(c.dest);
    REQUIRE(field);
    CHECK(field->python_str() == c.python);
  }
  CHECK(v.find("unknown_args") == nullptr);

  options.add_ssh_key = {"KEY_A", "KEY_B"};
  options.key = "secret";
  options.port = 9000;
  Value changed = options.to_value();
  CHECK(changed.find("add_ssh_key")->python_str() == "['KEY_A', 'KEY_B']");
  CHECK(changed.find("key")->python_str() == "secret");
  CHECK(changed.find("port")->as_int() == 9000);
}
