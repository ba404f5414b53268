// The options of `deploy` turned into a deploy::Release, targets and connections.

#include "deploy_options.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "registry_access.h"

namespace ssf::cli {

namespace {

constexpr std::string_view kSsfDeployImage = "graphcore/simple-server-framework:1.2.0";

std::string number(double value) { return fmt::format("{}", value); }

Error gcore_error(std::string message) {
  return Error(ResultCode::GcoreDeploymentError, std::move(message));
}

}  // namespace

std::vector<std::string> container_options(const Context& context) {
  const config::Options& o = context.options;
  const config::Options defaults;
  std::vector<std::string> w;
  auto add = [&](std::string_view flag, const std::string& value) {
    if (!value.empty()) w.insert(w.end(), {std::string(flag), value});
  };
  for (const auto& var : o.add_ssh_key) add("--add-ssh-key", var);
  add("--host", o.host);
  if (o.port) add("--port", std::to_string(o.port));
  if (o.replicate_application) add("--replicate-application", std::to_string(o.replicate_application));
  if (o.fastapi_replicate_server) {
    add("--fastapi-replicate-server", std::to_string(o.fastapi_replicate_server));
  }
  if (o.grpc_max_connections) add("--grpc-max-connections", std::to_string(o.grpc_max_connections));
  if (o.key) add("--key", *o.key);
  add("--file-log-level", o.file_log_level);
  add("--stdout-log-level", o.stdout_log_level);
  if (o.prometheus_disabled) w.push_back("--prometheus-disabled");
  if (!o.prometheus_buckets.empty()) {
    w.push_back("--prometheus-buckets");
    for (double b : o.prometheus_buckets) w.push_back(number(b));
  }
  add("--prometheus-endpoint", o.prometheus_endpoint);
  add("--prometheus-port", o.prometheus_port);
  if (!o.deploy_package) {
    // The generic SSF image fetches and builds the application itself.
    add("--config", o.config.value_or("ssf_config.yaml"));
    w.insert(w.end(), {"init", "build", "run"});
  }
  if (o.stop_on_error) w.push_back("--stop-on-error");
  if (o.watchdog_ready_period) add("--watchdog-ready-period", std::to_string(o.watchdog_ready_period));
  if (o.enable_cors_middleware) {
    w.push_back("--enable-cors-middleware");
    add("--cors-allow-origin-regex", o.cors_allow_origin_regex);
    add("--cors-allow-credentials", o.cors_allow_credentials);
    add("--cors-allow-methods", o.cors_allow_methods);
    add("--cors-allow-headers", o.cors_allow_headers);
    add("--cors-expose-headers", o.cors_expose_headers);
    add("--cors-max-age", std::to_string(o.cors_max_age));
  }
  if (o.enable_ssl) {
    w.push_back("--enable-ssl");
    add("--ssl-certificate-file", o.ssl_certificate_file);
    add("--ssl-key-file", o.ssl_key_file);
  }
  if (o.enable_session_authentication) {
    w.push_back("--enable-session-authentication");
    add("--session-authentication-module-file", o.session_authentication_module_file);
    add("--session-authentication-timeout", std::to_string(o.session_authentication_timeout));
  }
  // Beyond upstream (§11: "Deploy does not forward --api, ...").
  if (o.api != defaults.api) add("--api", o.api);
  if (o.batching_timeout != defaults.batching_timeout) {
    add("--batching-timeout", number(o.batching_timeout));
  }
  if (o.watchdog_request_threshold != defaults.watchdog_request_threshold) {
    add("--watchdog-request-threshold", number(o.watchdog_request_threshold));
  }
  if (o.watchdog_request_average != defaults.watchdog_request_average) {
    add("--watchdog-request-average", std::to_string(o.watchdog_request_average));
  }
  if (o.max_allowed_restarts != defaults.max_allowed_restarts) {
    add("--max-allowed-restarts", std::to_string(o.max_allowed_restarts));
  }
  if (o.deploy_custom_args) {
    for (auto& word : split_whitespace(*o.deploy_custom_args)) w.push_back(std::move(word));
  }
  return w;
}

Result<deploy::Release> make_release(const Context& context) {
  const config::Options& o = context.options;
  const config::Application& app = context.config.application;
  deploy::Release r;
  r.name = o.deploy_name.value_or(app.id);
  if (o.deploy_package) {
    r.image = o.package_tag.value_or(app.package.tag);
  } else {
    r.image = o.package_tag.value_or(std::string(kSsfDeployImage));
  }
  r.ssf_options = join(container_options(context), " ");
  for (const auto& var : o.add_ssh_key) {
    const char* value = std::getenv(var.c_str());
    if (!value) {
      return Error(ResultCode::SshError, fmt::format("SSH key '{}' must be set in environment", var));
    }
    Secret key(std::string(value) + "\n");  // registers it with the log
    r.env.emplace_back(var, key.reveal());
  }
  // The hosts log in with the credentials publish would use (registry_access.h: options, stdin
  // or $SSF_DOCKER_USERNAME/$SSF_DOCKER_PASSWORD), to --container-server, else the image's
  // registry (a bare `docker login` would go to Docker Hub).
  std::string server = o.container_server.value_or("");
  if (server.empty()) {
    auto ref = registry::Reference::parse(r.image);
    if (ref && ref->registry != "docker.io") server = ref->registry;  // empty: Docker Hub
  }
  auto access = registry_client_options(o, server);
  if (!access) return std::move(access).error();
  if (access->credentials) {
    r.login = deploy::RegistryLogin{server, std::move(access->credentials->username),
                                    std::move(access->credentials->password)};
  }
  const int total_ipus = app.ipus * o.fastapi_replicate_server * o.replicate_application;
  r.ipus = total_ipus > 0;
  r.gpus = o.deploy_gpus.value_or("");
  r.health_host = (o.host.empty() || o.host == "0.0.0.0") ? "127.0.0.1"
                  : o.host == "::"                         ? "::1"
                                                           : o.host;
  r.port = static_cast<uint16_t>(o.port);
  r.tls = o.enable_ssl;
  r.startup_timeout = std::chrono::seconds(app.startup_timeout);
  r.strategy = o.deploy_strategy == "replace" ? deploy::Strategy::Replace : deploy::Strategy::Overlap;
  return r;
}

Result<std::vector<remote::Target>> deploy_targets(const Context& context) {
  const config::Options& o = context.options;
  const std::string user = o.deploy_gcore_target_username.value_or("");
  std::vector<std::string> addresses;
  if (o.deploy_gcore_target_address) {
    for (const auto& a : split(*o.deploy_gcore_target_address, ',')) {
      if (!trim(a).empty()) addresses.emplace_back(trim(a));
    }
  }
  if (o.deploy_targets_file) {
    auto text = read_file(*o.deploy_targets_file);
    if (!text) {
      return gcore_error(fmt::format("--deploy-targets-file: {}", text.error().message()));
    }
    for (const auto& line : split(*text, '\n')) {
      auto content = trim(std::string_view(line).substr(0, line.find('#')));
      if (!content.empty()) addresses.emplace_back(content);
    }
  }
  if (addresses.empty()) return gcore_error("Target address must be specified");
  std::vector<remote::Target> targets;
  for (const auto& a : addresses) {
    auto t = remote::parse_target(a, user);
    if (!t) return gcore_error(t.error().message());
    targets.push_back(std::move(*t));
  }
  return targets;
}

Result<std::unique_ptr<remote::Runner>> connect_target(const Context& context,
                                                       const remote::Target& target) {
  const config::Options& o = context.options;
  remote::ConnectOptions c;
  c.connect_timeout = std::chrono::milliseconds(static_cast<int64_t>(o.ssh_connect_timeout * 1000));
  c.host_key_policy = o.ssh_accept_new_host_key ? remote::HostKeyPolicy::AcceptNew
                                                : remote::HostKeyPolicy::Strict;
  if (o.ssh_key) c.key_file = *o.ssh_key;
  for (const auto& var : o.add_ssh_key) {
    if (const char* value = std::getenv(var.c_str())) c.keys.emplace_back(std::string(value) + "\n");
  }
  auto session = remote::connect(target, c);
  if (!session) return gcore_error(session.error().message());
  return std::unique_ptr<remote::Runner>(std::move(*session));
}

Status run_on_fleet(const Context& context, std::string_view what, const deploy::ActionFn& action) {
  auto targets = deploy_targets(context);
  if (!targets) return std::move(targets).error();
  std::vector<std::string> hosts;
  for (const auto& t : *targets) hosts.push_back(t.to_string());
  auto connect = [&](const std::string& host) -> Result<std::unique_ptr<remote::Runner>> {
    for (const auto& t : *targets) {
      if (t.to_string() == host) return connect_target(context, t);
    }
    return gcore_error("unknown host " + host);
  };
  std::vector<deploy::HostReport> reports;
  Status done = deploy::for_fleet(hosts, context.options.deploy_batch_size, connect, action, reports);
  if (hosts.size() > 1 || !done) {
    log::info("> {} on {} host(s):", what, hosts.size());
    for (const auto& r : reports) {
      auto line = fmt::format("  {}: {}{}{}", r.host, deploy::outcome_name(r.outcome),
                              r.detail.empty() ? "" : ": ", r.detail);
      if (r.outcome == deploy::HostReport::Outcome::Deployed ||
          r.outcome == deploy::HostReport::Outcome::NotAttempted) {
        log::info("{}", line);
      } else {
        log::error("{}", line);
      }
    }
  }
  return done;
}

}  // namespace ssf::cli
