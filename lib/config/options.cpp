// The option table: upstream's argparse options (ssf/cli.py) in the order upstream declares them
// within each group, with their argparse dest names, which applications see in `args`.

#include "config/options.h"

#include <type_traits>

namespace ssf::config {

namespace {

using G = OptionGroup;
using O = Options;

const std::vector<OptionSpec>& table() {
  static const std::vector<OptionSpec> options = {
      // General (upstream declares --config on the parser itself, ahead of the groups)
      {"--config", "-c", "config", G::General, &O::config,
       "SSF config: a local YAML file, or <git url>[@<ref>][|<path in repo>], or "
       "gradient-model:<id>[|<path>]"},
      {"--api",
       "-a",
       "api",
       G::General,
       &O::api,
       "API the application is served with",
       {"fastapi", "grpc"}},
      {"--add-ssh-key", "", "add_ssh_key", G::General, &O::add_ssh_key,
       "Name of an environment variable holding an SSH key to add before any command "
       "(repeatable)"},
      {"--modify-config",
       "",
       "modify_config",
       G::General,
       &O::modify_config,
       "Set or add config fields: \"<field>=<value>;...\", \"<field>[<idx>]=<value>\" for list "
       "items; existing fields keep their type",
       {},
       false,
       false},
      {"--file-log-level",
       "",
       "file_log_level",
       G::General,
       &O::file_log_level,
       "Level of the records written to ssf.log",
       {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}},
      {"--stdout-log-level",
       "",
       "stdout_log_level",
       G::General,
       &O::stdout_log_level,
       "Level of the records shown on the terminal",
       {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}},

      // Runtime
      {"--host", "", "host", G::Runtime, &O::host, "Address the server listens on"},
      {"--port", "-p", "port", G::Runtime, &O::port, "Port the server listens on"},
      {"--replicate-application", "-ra", "replicate_application", G::Runtime,
       &O::replicate_application, "Number of application instances (replicas) per server"},
      {"--key",
       "-k",
       "key",
       G::Runtime,
       &O::key,
       "API key that every request must present (else $SSF_API_KEY, which keeps it off the "
       "command line)",
       {},
       true},
      {"--watchdog-request-threshold", "", "watchdog_request_threshold", G::Runtime,
       &O::watchdog_request_threshold,
       "Average request duration in seconds above which a replica is restarted; 0 disables"},
      {"--watchdog-request-average", "", "watchdog_request_average", G::Runtime,
       &O::watchdog_request_average,
       "Number of most recent requests averaged by the request-duration watchdog"},
      {"--watchdog-ready-period", "", "watchdog_ready_period", G::Runtime,
       &O::watchdog_ready_period,
       "Idle seconds after which the application's watchdog is polled; 0 disables"},
      {"--batching-timeout", "", "batching_timeout", G::Runtime, &O::batching_timeout,
       "Longest wait in seconds to fill a batch once its first sample has arrived"},
      {"--max-allowed-restarts", "", "max_allowed_restarts", G::Runtime, &O::max_allowed_restarts,
       "Consecutive failed restarts after which a replica is given up as irrecoverable"},
      {"--stop-on-error", "", "stop_on_error", G::Runtime, &O::stop_on_error,
       "Stop the server on an application error instead of serving on with failing probes"},
      {"--in-process", "", "in_process", G::Runtime, &O::in_process,
       "Native applications only: run each replica on a thread of the server instead of a "
       "worker process (faster; an application crash then stops the server)"},
      {"--prometheus-disabled", "", "prometheus_disabled", G::Runtime, &O::prometheus_disabled,
       "Do not collect or serve Prometheus metrics"},
      {"--prometheus-buckets", "", "prometheus_buckets", G::Runtime, &O::prometheus_buckets,
       "Histogram bucket bounds in seconds for the latency and duration metrics"},
      {"--prometheus-endpoint", "", "prometheus_endpoint", G::Runtime, &O::prometheus_endpoint,
       "Path the metrics are served on"},
      {"--prometheus-port", "", "prometheus_port", G::Runtime, &O::prometheus_port,
       "Serve the metrics from a separate HTTP server on this port; empty shares the service's"},

      // Container
      {"--package-baseimage", "", "package_baseimage", G::Container, &O::package_baseimage,
       "Base image for the package, instead of application.package.docker.baseimage or the "
       "default"},
      {"--package-name", "", "package_name", G::Container, &O::package_name,
       "File name of the bundle, instead of application.package.name"},
      {"--package-tag", "", "package_tag", G::Container, &O::package_tag,
       "Image tag (user/repo:tag), instead of application.package.tag"},
      {"--docker-username", "", "docker_username", G::Container, &O::docker_username,
       "Registry user for a temporary login (needs --docker-password too)"},
      {"--docker-password",
       "",
       "docker_password",
       G::Container,
       &O::docker_password,
       "Registry password for a temporary login (needs --docker-username too)",
       {},
       true},
      {"--container-server", "", "container_server", G::Container, &O::container_server,
       "Registry host to log in to; Docker Hub when absent"},
      {"--package-output", "", "package_output", G::Container, &O::package_output,
       "Also write the packaged image to this file as a docker archive (for `docker load -i`)"},
      {"--builder",
       "",
       "builder",
       G::Container,
       &O::builder,
       "How package builds the image: native (no Docker daemon; the default) or docker "
       "(`docker build`; needed by package.docker.run)",
       {"docker", "native"}},
      {"--docker-password-stdin", "", "docker_password_stdin", G::Container,
       &O::docker_password_stdin,
       "Read the registry password from stdin (else --docker-password, else $SSF_DOCKER_PASSWORD)"},
      {"--registry-ca", "", "registry_ca", G::Container, &O::registry_ca,
       "PEM file of CA certificates to trust for the registry's TLS, instead of the system's"},
      {"--insecure-registry", "", "insecure_registry", G::Container, &O::insecure_registry,
       "Registry host[:port] to reach over plain HTTP or unverified TLS (repeatable; loopback "
       "registries are allowed plain HTTP without it)"},

      // Deploy
      {"--deploy-platform",
       "",
       "deploy_platform",
       G::Deploy,
       &O::deploy_platform,
       "Platform to deploy to",
       {"Paperspace", "Gcore"}},
      {"--deploy-name", "", "deploy_name", G::Deploy, &O::deploy_name,
       "Name of the deployment (no spaces); the application id when absent"},
      {"--deploy-package", "", "deploy_package", G::Deploy, &O::deploy_package,
       "Deploy the application's published image instead of the SSF image building it remotely"},
      {"--deploy-custom-args", "", "deploy_custom_args", G::Deploy, &O::deploy_custom_args,
       "Extra SSF arguments appended to the SSF_OPTIONS of the deployed container"},
      {"--deploy-gcore-target-username", "", "deploy_gcore_target_username", G::Deploy,
       &O::deploy_gcore_target_username, "Gcore: user to log in as on the target host"},
      {"--deploy-gcore-target-address", "", "deploy_gcore_target_address", G::Deploy,
       &O::deploy_gcore_target_address, "Gcore: address of the target host"},
      {"--deploy-paperspace-registry", "", "deploy_paperspace_registry", G::Deploy,
       &O::deploy_paperspace_registry,
       "Paperspace: containerRegistry of the generated deployment spec"},
      {"--deploy-paperspace-project-id", "", "deploy_paperspace_project_id", G::Deploy,
       &O::deploy_paperspace_project_id, "Paperspace: project ID"},
      {"--deploy-paperspace-cluster-id", "", "deploy_paperspace_cluster_id", G::Deploy,
       &O::deploy_paperspace_cluster_id, "Paperspace: cluster ID"},
      {"--deploy-paperspace-api-key", "", "deploy_paperspace_api_key", G::Deploy,
       &O::deploy_paperspace_api_key,
       "Paperspace: name of the environment variable holding the API token (not the token)"},
      {"--deploy-paperspace-replicas", "", "deploy_paperspace_replicas", G::Deploy,
       &O::deploy_paperspace_replicas, "Paperspace: number of containers to run"},
      {"--deploy-paperspace-spec-file", "", "deploy_paperspace_spec_file", G::Deploy,
       &O::deploy_paperspace_spec_file,
       "Paperspace: deployment spec to use instead of a generated one"},
      {"--deploy-targets-file", "", "deploy_targets_file", G::Deploy, &O::deploy_targets_file,
       "File of target hosts, one [user@]host[:port] per line, deployed with the target address "
       "(gc-ssf)"},
      {"--deploy-batch-size", "", "deploy_batch_size", G::Deploy, &O::deploy_batch_size,
       "Hosts deployed at a time; a failure stops before the next batch (gc-ssf)"},
      {"--deploy-strategy",
       "",
       "deploy_strategy",
       G::Deploy,
       &O::deploy_strategy,
       "overlap: the new version starts beside the running one and takes over without a lost "
       "request; replace: the running one stops first (servers that cannot share their port) "
       "(gc-ssf)",
       {"overlap", "replace"}},
      {"--deploy-gpus", "", "deploy_gpus", G::Deploy, &O::deploy_gpus,
       "GPUs for the container (docker run --gpus <value>) (gc-ssf)"},
      {"--ssh-key", "", "ssh_key", G::Deploy, &O::ssh_key,
       "Private key file for SSH (else the keys of --add-ssh-key, else ssh-agent) (gc-ssf)"},
      {"--ssh-accept-new-host-key", "", "ssh_accept_new_host_key", G::Deploy,
       &O::ssh_accept_new_host_key,
       "Accept the key of a host missing from ~/.ssh/known_hosts once and record it; a changed "
       "key is always refused (gc-ssf)"},
      {"--ssh-connect-timeout", "", "ssh_connect_timeout", G::Deploy, &O::ssh_connect_timeout,
       "Seconds to connect to a host over SSH (gc-ssf)"},
      {"--logs-tail", "", "logs_tail", G::Deploy, &O::logs_tail,
       "Lines of the deployed container's log that 'logs' shows (gc-ssf)"},
      {"--dry-run", "", "dry_run", G::Deploy, &O::dry_run,
       "deploy: print the plan of remote commands and change nothing (gc-ssf)"},

      // Test
      {"--test-skip-stop", "", "test_skip_stop", G::Test, &O::test_skip_stop,
       "Leave the application container running after 'test'"},
      {"--test-skip-start", "", "test_skip_start", G::Test, &O::test_skip_start,
       "Test a container that is already running instead of starting one"},

      // FastAPI
      {"--enable-cors-middleware", "", "enable_cors_middleware", G::FastApi,
       &O::enable_cors_middleware, "Answer CORS requests"},
      {"--cors-allow-origin-regex", "", "cors_allow_origin_regex", G::FastApi,
       &O::cors_allow_origin_regex, "CORS: regular expression of the allowed origins"},
      {"--cors-allow-credentials", "", "cors_allow_credentials", G::FastApi,
       &O::cors_allow_credentials, "CORS: allow credentials (any non-empty value allows them)"},
      {"--cors-allow-methods", "", "cors_allow_methods", G::FastApi, &O::cors_allow_methods,
       "CORS: allowed methods, comma-separated"},
      {"--cors-allow-headers", "", "cors_allow_headers", G::FastApi, &O::cors_allow_headers,
       "CORS: allowed request headers, comma-separated"},
      {"--cors-expose-headers", "", "cors_expose_headers", G::FastApi, &O::cors_expose_headers,
       "CORS: response headers exposed to the browser, comma-separated"},
      {"--cors-max-age", "", "cors_max_age", G::FastApi, &O::cors_max_age,
       "CORS: seconds a browser may cache a preflight response"},
      {"--enable-ssl", "", "enable_ssl", G::FastApi, &O::enable_ssl, "Serve HTTPS"},
      {"--ssl-certificate-file", "", "ssl_certificate_file", G::FastApi, &O::ssl_certificate_file,
       "HTTPS: certificate file (PEM)"},
      {"--ssl-key-file", "", "ssl_key_file", G::FastApi, &O::ssl_key_file,
       "HTTPS: private key file (PEM)"},
      {"--enable-session-authentication", "", "enable_session_authentication", G::FastApi,
       &O::enable_session_authentication,
       "Require a login (HTTP Basic) that opens a session before requests are served"},
      {"--session-authentication-module-file", "", "session_authentication_module_file", G::FastApi,
       &O::session_authentication_module_file,
       "Module defining authenticate_user(username, password) that returns a user id or None"},
      {"--session-authentication-timeout", "", "session_authentication_timeout", G::FastApi,
       &O::session_authentication_timeout, "Session lifetime in seconds"},
      {"--max-request-size", "", "max_request_size", G::Runtime, &O::max_request_size,
       "Largest request body in MiB; larger ones are refused with 413 (gc-ssf)"},
      {"--request-timeout", "", "request_timeout", G::Runtime, &O::request_timeout,
       "Seconds a request may wait for a replica before 504 (gc-ssf)"},
      {"--max-queue", "", "max_queue", G::Runtime, &O::max_queue,
       "Requests that may wait for a replica; more are refused with 503 and Retry-After (gc-ssf)"},
      {"--reuse-port", "", "reuse_port", G::Runtime, &O::reuse_port,
       "Bind the port with SO_REUSEPORT and only once the application is ready, so that a new "
       "version can start beside the running one; a server whose application fails to start "
       "then exits with its code (set by deploy) (gc-ssf)"},
      {"--instance-id", "", "instance_id", G::Runtime, &O::instance_id,
       "Name of this server, sent in the x-ssf-instance header (set by deploy) (gc-ssf)"},
      {"--fastapi-replicate-server", "-rs", "fastapi_replicate_server", G::FastApi,
       &O::fastapi_replicate_server, "Number of server processes"},

      // gRPC
      {"--grpc-max-connections", "", "grpc_max_connections", G::Grpc, &O::grpc_max_connections,
       "Largest number of requests the gRPC server handles at once"},
  };
  return options;
}

Value field_value(const Options& options, const OptionSpec::Field& field) {
  return std::visit(
      [&](auto member) -> Value {
        const auto& v = options.*member;
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return Value::string(v);
        } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
          return v ? Value::string(*v) : Value();
        } else if constexpr (std::is_same_v<T, int>) {
          return Value::integer(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return Value::floating(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          return Value::boolean(v);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          Value::List items;
          for (double d : v) items.push_back(Value::floating(d));
          return Value::list(std::move(items));
        } else {
          // An appended option is None until given once, as argparse's action="append".
          if (v.empty()) return Value();
          Value::List items;
          for (const auto& s : v) items.push_back(Value::string(s));
          return Value::list(std::move(items));
        }
      },
      field);
}

}  // namespace

std::span<const OptionSpec> option_table() { return table(); }

std::string_view group_title(OptionGroup group) {
  switch (group) {
    case OptionGroup::General: return "# General options";
    case OptionGroup::Runtime: return "# Runtime (gc-ssf run) options";
    case OptionGroup::Container: return "# Container options (package and publish)";
    case OptionGroup::Deploy: return "# Deployment (gc-ssf deploy) options";
    case OptionGroup::Test: return "# Test (gc-ssf test) options";
    case OptionGroup::FastApi: return "# FastAPI API options";
    case OptionGroup::Grpc: return "# gRPC API options";
  }
  return "";
}

Value Options::to_value() const {
  Value out = Value::map();
  Value::List commands_list;
  for (const auto& c : commands) commands_list.push_back(Value::string(c));
  out.set("commands", Value::list(std::move(commands_list)));
  for (const auto& spec : option_table()) out.set(spec.dest, field_value(*this, spec.field));
  return out;
}

}  // namespace ssf::config
