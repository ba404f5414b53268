#pragma once
// The registry's JSON documents other than manifests (which lib/image reads): token responses,
// error bodies, Docker's config.json and credential-helper answers. Internal to the module;
// nlohmann-json is called from wire.cpp only. Every parser takes untrusted bytes and never throws.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"

namespace ssf::registry {

// distribution's token response (docs/spec/auth/token.md): `token`, or OAuth2's `access_token`;
// `expires_in` seconds (60 when absent, as the spec says).
struct TokenResponse {
  std::string token;
  int64_t expires_in = 60;
};
// Errors: DockerServerError when the body is not JSON or has neither token field.
Result<TokenResponse> parse_token_response(std::string_view body);

// {"errors":[{"code":"NAME_UNKNOWN","message":"...","detail":...}]} (distribution-spec "Error
// Codes"). Anything else gives an empty vector.
struct RegistryError {
  std::string code;
  std::string message;
};
std::vector<RegistryError> parse_error_body(std::string_view body);

// ~/.docker/config.json: what this client reads of it.
struct DockerConfig {
  std::map<std::string, std::string> auths;         // server key -> base64 "user:password"
  std::map<std::string, std::string> identity_tokens;  // server key -> identitytoken
  std::string creds_store;                          // "" when none
  std::map<std::string, std::string> cred_helpers;  // server -> helper suffix
};
// Errors: DockerServerError naming what is malformed.
Result<DockerConfig> parse_docker_config(std::string_view text);

// A credential helper's `get` answer: {"ServerURL":..,"Username":..,"Secret":..}.
struct HelperCredentials {
  std::string username;
  std::string secret;
};
Result<HelperCredentials> parse_helper_answer(std::string_view text);

}  // namespace ssf::registry
