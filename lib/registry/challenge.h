#pragma once
// WWW-Authenticate challenges (RFC 7235 §4.1; distribution's token auth, docs/spec/auth/token.md).
// Internal to the registry module.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssf::registry {

struct Challenge {
  std::string scheme;                         // lowercase: "basic", "bearer"
  std::map<std::string, std::string> params;  // keys lowercase: realm, service, scope, error

  std::string param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? std::string() : it->second;
  }
};

// The challenges of one header value ("Bearer realm=\"..\",service=\"..\", Basic realm=\"..\"").
// Malformed parts are skipped: a challenge never fails a request by itself; no challenge at all
// gives an empty vector.
std::vector<Challenge> parse_challenges(std::string_view header);

}  // namespace ssf::registry
