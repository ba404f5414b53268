#include "registry_access.h"

#include <cstdlib>
#include <iostream>
#include <iterator>

namespace ssf::cli {
namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (!value || !*value) return std::nullopt;
  return std::string(value);
}

// docker login --password-stdin reads all of stdin and drops the trailing newline. Read once and
// kept: in `package publish` both the base's pull and the push ask for it.
std::string read_stdin_password() {
  static const std::string password = [] {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
  }();
  return password;
}

}  // namespace

Result<registry::ClientOptions> registry_client_options(const config::Options& options,
                                                        std::string_view registry) {
  registry::ClientOptions out;
  if (options.registry_ca) out.ca_file = *options.registry_ca;
  out.insecure_registries = options.insecure_registry;

  std::optional<std::string> user = options.docker_username;
  std::optional<std::string> password;
  if (options.docker_password_stdin) {
    if (options.docker_password) {
      return Error(ResultCode::ArgumentError,
                   "--docker-password and --docker-password-stdin are exclusive");
    }
    password = read_stdin_password();
  } else if (options.docker_password) {
    password = options.docker_password;
  } else if (auto from_env = env("SSF_DOCKER_PASSWORD")) {
    // A password in the environment alone is not a request to log in: commands that need no
    // registry (status, logs) run in the same environment as those that do.
    user = user ? user : env("SSF_DOCKER_USERNAME");
    if (!user) {
      log::debug("$SSF_DOCKER_PASSWORD without a user name: not used");
      return out;
    }
    password = from_env;
  }
  if (!user && password) user = env("SSF_DOCKER_USERNAME");
  if (user && (!password || password->empty())) {
    return Error(ResultCode::ArgumentError,
                 fmt::format("registry user '{}' has no password: give --docker-password, "
                             "--docker-password-stdin or $SSF_DOCKER_PASSWORD",
                             *user));
  }
  if (password && !user) {
    return Error(ResultCode::ArgumentError,
                 "a registry password was given without a user name: give --docker-username "
                 "(or $SSF_DOCKER_USERNAME)");
  }
  if (user) {
    out.credentials = registry::Credentials{*user, Secret(*password)};
    log::debug("registry {}: credentials of user '{}'", registry, *user);
  }
  return out;
}

}  // namespace ssf::cli
