// nlohmann-json adapter for the registry module: the only file that includes it. Parsing uses the
// non-throwing entry point (allow_exceptions = false) and checks every type before reading it.

#include "registry/wire.h"

#include <nlohmann/json.hpp>

namespace ssf::registry {
namespace {

using Json = nlohmann::json;

Json parse(std::string_view text) { return Json::parse(text, nullptr, false); }

std::string string_field(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Error server_error(std::string message) {
  return Error(ResultCode::DockerServerError, std::move(message));
}

}  // namespace

Result<TokenResponse> parse_token_response(std::string_view body) {
  Json j = parse(body);
  if (!j.is_object()) return server_error("the token service answered with something not JSON");
  TokenResponse out;
  out.token = string_field(j, "token");
  if (out.token.empty()) out.token = string_field(j, "access_token");
  if (out.token.empty()) return server_error("the token service's answer has no token");
  auto e = j.find("expires_in");
  if (e != j.end() && e->is_number_integer() && e->get<int64_t>() > 0) {
    out.expires_in = e->get<int64_t>();
  }
  return out;
}

std::vector<RegistryError> parse_error_body(std::string_view body) {
  std::vector<RegistryError> out;
  Json j = parse(body);
  if (!j.is_object()) return out;
  auto errors = j.find("errors");
  if (errors == j.end() || !errors->is_array()) return out;
  for (const auto& e : *errors) {
    if (!e.is_object()) continue;
    out.push_back({string_field(e, "code"), string_field(e, "message")});
  }
  return out;
}

Result<DockerConfig> parse_docker_config(std::string_view text) {
  Json j = parse(text);
  if (!j.is_object()) return server_error("config.json is not a JSON object");
  DockerConfig out;
  if (auto auths = j.find("auths"); auths != j.end() && auths->is_object()) {
    for (const auto& [server, entry] : auths->items()) {
      if (!entry.is_object()) continue;
      std::string auth = string_field(entry, "auth");
      if (!auth.empty()) out.auths[server] = auth;
      std::string identity = string_field(entry, "identitytoken");
      if (!identity.empty()) out.identity_tokens[server] = identity;
    }
  }
  out.creds_store = string_field(j, "credsStore");
  if (auto helpers = j.find("credHelpers"); helpers != j.end() && helpers->is_object()) {
    for (const auto& [server, helper] : helpers->items()) {
      if (helper.is_string()) out.cred_helpers[server] = helper.get<std::string>();
    }
  }
  return out;
}

Result<HelperCredentials> parse_helper_answer(std::string_view text) {
  Json j = parse(text);
  if (!j.is_object()) return server_error("the credential helper's answer is not JSON");
  HelperCredentials out{string_field(j, "Username"), string_field(j, "Secret")};
  if (out.secret.empty()) return server_error("the credential helper's answer has no Secret");
  return out;
}

}  // namespace ssf::registry
