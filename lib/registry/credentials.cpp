// Credentials as the docker CLI finds them (docker/cli: cli/config/credentials), so that a user who
// ran `docker login` (or configured a credential helper) needs no option. A helper is run as
// `docker-credential-<name> get` with the server on stdin, never on its command line.

#include <cstdlib>

#include "registry/base64.h"
#include "registry/options.h"
#include "registry/wire.h"

namespace ssf::registry {
namespace fs = std::filesystem;
namespace {

// The keys docker writes for a registry: Docker Hub's historical URL, or the host with or without
// a scheme.
std::vector<std::string> config_keys(std::string_view registry) {
  if (registry == "docker.io") {
    return {"https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io"};
  }
  std::string r(registry);
  return {r, "https://" + r, "http://" + r, "https://" + r + "/v1/", "https://" + r + "/v2/"};
}

fs::path default_config_dir() {
  if (const char* dir = std::getenv("DOCKER_CONFIG"); dir && *dir) return dir;
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".docker";
  return {};
}

Result<std::optional<Credentials>> from_helper(const std::string& helper,
                                               const std::string& server) {
  ProcessOptions po;
  po.stdin_data = server;
  auto out = run_process({"docker-credential-" + helper, "get"}, po);
  if (!out) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("credential helper docker-credential-{} cannot be run: {}", helper,
                             out.error().message()));
  }
  if (out->exit_code != 0) {
    // The protocol's answer for an unknown server: "credentials not found in native keychain".
    if (out->out.find("not found") != std::string::npos) return std::optional<Credentials>{};
    return Error(ResultCode::DockerServerError,
                 fmt::format("credential helper docker-credential-{} failed ({}): {}", helper,
                             out->exit_code, trim(out->out)));
  }
  auto answer = parse_helper_answer(out->out);
  if (!answer) return std::move(answer).error().with_context("docker-credential-" + helper);
  // "<token>" as user name means an identity token (docker/cli's convention).
  return std::optional<Credentials>{Credentials{answer->username, Secret(answer->secret)}};
}

}  // namespace

Result<std::optional<Credentials>> find_credentials(
    std::string_view registry, const std::optional<Credentials>& explicit_credentials,
    const fs::path& docker_config_dir) {
  if (explicit_credentials) return explicit_credentials;
  fs::path dir = docker_config_dir.empty() ? default_config_dir() : docker_config_dir;
  if (dir.empty()) return std::optional<Credentials>{};
  fs::path file = dir / "config.json";
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<Credentials>{};
  auto text = read_file(file);
  if (!text) return std::optional<Credentials>{};  // unreadable: as docker, carry on anonymously
  auto config = parse_docker_config(*text);
  if (!config) return std::move(config).error().with_context(file.string());

  auto keys = config_keys(registry);
  for (const auto& key : keys) {
    auto it = config->cred_helpers.find(key);
    if (it != config->cred_helpers.end()) return from_helper(it->second, keys.front());
  }
  if (!config->creds_store.empty()) {
    auto found = from_helper(config->creds_store, keys.front());
    if (!found || *found) return found;
  }
  for (const auto& key : keys) {
    auto it = config->auths.find(key);
    if (it == config->auths.end()) continue;
    auto decoded = base64_decode(it->second);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
      return Error(ResultCode::DockerServerError,
                   fmt::format("{}: auths.\"{}\".auth is not base64 of user:password",
                               file.string(), key));
    }
    return std::optional<Credentials>{
        Credentials{decoded->substr(0, colon), Secret(decoded->substr(colon + 1))}};
  }
  return std::optional<Credentials>{};
}

}  // namespace ssf::registry
