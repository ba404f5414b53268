#pragma once
// Options: every command-line option of upstream's gc-ssf (ssf-behaviour.md §1.3) with its
// default, plus gc-ssf's own. One table describes them all (kOptionTable), so that the parser, the
// `args` namespace handed to applications, `{{...}}` substitution and deploy's forwarding of
// options to the container read the same list and cannot drift apart.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/value.h"

namespace ssf::config {

struct Options {
  // Positional: the commands as given, unknown ones included (upstream's args.commands).
  std::vector<std::string> commands;

  // General
  std::optional<std::string> config;
  std::string api = "fastapi";
  std::vector<std::string> add_ssh_key;  // names of environment variables holding keys
  std::optional<std::string> modify_config;
  std::string file_log_level = "DEBUG";
  std::string stdout_log_level = "INFO";

  // Runtime (run)
  std::string host = "0.0.0.0";
  int port = 8100;
  int replicate_application = 1;
  std::optional<std::string> key;  // a secret
  double watchdog_request_threshold = 0;
  int watchdog_request_average = 3;
  int watchdog_ready_period = 5;
  double batching_timeout = 1;
  int max_allowed_restarts = 2;
  bool stop_on_error = false;
  bool prometheus_disabled = false;
  std::vector<double> prometheus_buckets = {0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
                                            0.75, 1,     1.5,   2,    2.5,   3,    3.5,
                                            4,    4.5,   5,     7.5,  10,    30,   60};
  std::string prometheus_endpoint = "/metrics";
  std::string prometheus_port;
  // gc-ssf's own limits (upstream has none).
  int max_request_size = 100;    // MiB; larger bodies get 413
  double request_timeout = 300;  // seconds a request may wait for a replica; then 504
  int max_queue = 4096;          // queued requests; beyond, 503 with Retry-After
  // gc-ssf's own, for deploys that overlap versions (deploy passes them): bind the port with
  // SO_REUSEPORT, only once the application is ready; name this server in x-ssf-instance.
  bool reuse_port = false;
  std::optional<std::string> instance_id;
  // gc-ssf's own: native replicas as threads of the server (apphost::WorkerSpec::in_process).
  bool in_process = false;

  // Container (package, publish)
  std::optional<std::string> package_baseimage;
  std::optional<std::string> package_name;
  std::optional<std::string> package_tag;
  std::optional<std::string> docker_username;
  std::optional<std::string> docker_password;  // a secret
  std::optional<std::string> container_server;
  // gc-ssf's own (package). --package-output: also write a docker archive (`docker load -i`)
  // there. --builder: "native" assembles layers itself (no daemon); "docker" runs `docker build`
  // on a generated Dockerfile; default native, docker when package.docker.run has lines.
  std::optional<std::string> package_output;
  std::optional<std::string> builder;
  // gc-ssf's own (publish): the password without a command line, registry trust.
  bool docker_password_stdin = false;       // read the password from stdin (docker login's way)
  std::optional<std::string> registry_ca;   // PEM CA bundle trusted for the registry's TLS
  std::vector<std::string> insecure_registry;  // hosts allowed plain HTTP (loopback always is)

  // Deploy
  std::string deploy_platform = "Gcore";
  std::optional<std::string> deploy_name;
  bool deploy_package = false;
  std::optional<std::string> deploy_custom_args;
  std::optional<std::string> deploy_gcore_target_username;
  std::optional<std::string> deploy_gcore_target_address;
  std::string deploy_paperspace_registry = "Graphcore Cloud Solutions Dev R-O";
  std::optional<std::string> deploy_paperspace_project_id;
  std::string deploy_paperspace_cluster_id = "clehbtvty";
  std::optional<std::string> deploy_paperspace_api_key;
  int deploy_paperspace_replicas = 1;
  std::optional<std::string> deploy_paperspace_spec_file;
  // gc-ssf's own deploy options (upstream has none of these).
  std::optional<std::string> deploy_targets_file;  // one target per line, added to the address
  int deploy_batch_size = 1;                       // hosts rolled at a time
  std::string deploy_strategy = "overlap";         // overlap | replace (servers that cannot share)
  std::optional<std::string> deploy_gpus;          // docker run --gpus <value>
  std::optional<std::string> ssh_key;              // private key file (else agent, --add-ssh-key)
  bool ssh_accept_new_host_key = false;            // record an unknown host's key once
  double ssh_connect_timeout = 10;                 // seconds
  int logs_tail = 100;                             // lines shown by `logs`
  bool dry_run = false;                            // deploy: print the plan, change nothing

  // Test
  bool test_skip_stop = false;
  bool test_skip_start = false;

  // FastAPI
  bool enable_cors_middleware = false;
  std::string cors_allow_origin_regex = R"(http.*://(?:localhost|127\.0\.0\.1)(?::\d+)?)";
  std::string cors_allow_credentials = "True";  // upstream takes a string: any non-empty is true
  std::string cors_allow_methods = "*";
  std::string cors_allow_headers = "*";
  std::string cors_expose_headers;
  int cors_max_age = 600;
  bool enable_ssl = false;
  std::string ssl_certificate_file = "ssl-cert.pem";
  std::string ssl_key_file = "ssl-key.pem";
  bool enable_session_authentication = false;
  std::string session_authentication_module_file = "ssf/default_authentication.py";
  int session_authentication_timeout = 10080;
  int fastapi_replicate_server = 1;

  // gRPC
  int grpc_max_connections = 10;

  // Not options: what the parser kept aside, visible to applications (SSFConfig.unknown_args).
  std::vector<std::string> unknown_args;

  // The `args` namespace handed to applications: every option under its argparse name
  // ("replicate_application"), commands included; secrets are included as the app may need them.
  Value to_value() const;
};

// One option of the table.
enum class OptionGroup { General, Runtime, Container, Deploy, Test, FastApi, Grpc };
std::string_view group_title(OptionGroup group);  // "# Runtime (gc-ssf run) options"

struct OptionSpec {
  using Field = std::variant<std::string Options::*, std::optional<std::string> Options::*,
                             int Options::*, double Options::*, bool Options::*,
                             std::vector<double> Options::*, std::vector<std::string> Options::*>;
  std::string_view long_name;   // "--replicate-application"
  std::string_view short_name;  // "-ra", or empty
  std::string_view dest;        // "replicate_application"
  OptionGroup group;
  Field field;
  std::string_view help;
  std::vector<std::string_view> choices = {};  // empty: any value
  bool secret = false;      // redacted from logs
  bool expand = true;       // takes part in `{{...}}` substitution (strings only)
};

std::span<const OptionSpec> option_table();

}  // namespace ssf::config
