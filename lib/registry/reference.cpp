// Reference parsing, after distribution/reference's grammar (reference.go):
//   path-component := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
//   tag            := [\w][\w.-]{0,127}
//   domain         := a host name or IP (with [..] for IPv6) and an optional :port

#include "registry/reference.h"

#include <algorithm>
#include <cctype>

namespace ssf::registry {
namespace {

constexpr std::string_view kDockerHub = "docker.io";

Error bad(std::string_view text, std::string_view why) {
  return Error(ResultCode::ArgumentError, fmt::format("invalid image reference '{}': {}", text, why));
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool valid_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    char ch = c[i];
    if (is_lower_alnum(ch)) continue;
    if (ch == '.' || ch == '-') {
      if (ch == '.' && !is_lower_alnum(c[i + 1])) return false;
      continue;
    }
    if (ch == '_') {
      // "_" or "__", then an alphanumeric.
      if (c[i + 1] == '_') ++i;
      if (!is_lower_alnum(c[i + 1])) return false;
      continue;
    }
    return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  return std::all_of(t.begin(), t.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool valid_host(std::string_view h) {
  if (h.empty()) return false;
  if (h.front() == '[') {  // [v6]:port
    auto close = h.find(']');
    if (close == std::string_view::npos) return false;
    h = h.substr(close + 1);
    if (h.empty()) return true;
    if (h.front() != ':') return false;
    h.remove_prefix(1);
    return !h.empty() && std::all_of(h.begin(), h.end(), ::isdigit);
  }
  auto colon = h.find(':');
  std::string_view name = h.substr(0, colon);
  if (name.empty()) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') return false;
  }
  if (colon != std::string_view::npos) {
    std::string_view port = h.substr(colon + 1);
    if (port.empty() || !std::all_of(port.begin(), port.end(), ::isdigit)) return false;
  }
  return true;
}

}  // namespace

Result<Reference> Reference::parse(std::string_view text) {
  Reference ref;
  std::string_view rest = text;
  if (rest.empty()) return bad(text, "it is empty");
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = image::Digest::parse(rest.substr(at + 1));
    if (!digest) return bad(text, "the digest is not sha256:<64 hex digits>");
    ref.digest = *digest;
    rest = rest.substr(0, at);
  }
  // The tag follows the last ':' after the last '/' (a ':' before it is a port).
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
    if (!valid_tag(ref.tag)) return bad(text, fmt::format("tag '{}' is not valid", ref.tag));
  }
  auto first_slash = rest.find('/');
  std::string_view first = rest.substr(0, first_slash);
  if (first_slash != std::string_view::npos &&
      (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
       first == "localhost" || (!first.empty() && first.front() == '['))) {
    if (!valid_host(first)) return bad(text, fmt::format("registry '{}' is not valid", first));
    ref.registry = std::string(first);
    rest = rest.substr(first_slash + 1);
  } else {
    ref.registry = std::string(kDockerHub);
  }
  // Docker's own aliases of Docker Hub.
  if (ref.registry == "index.docker.io" || ref.registry == "registry-1.docker.io") {
    ref.registry = std::string(kDockerHub);
  }
  if (rest.empty()) return bad(text, "it names no repository");
  for (const auto& component : split(rest, '/')) {
    if (!valid_component(component)) {
      return bad(text, fmt::format("repository component '{}' must be lowercase letters, digits "
                                   "and separators (. _ __ -)",
                                   component));
    }
  }
  ref.repository = std::string(rest);
  if (ref.registry == kDockerHub && ref.repository.find('/') == std::string::npos) {
    ref.repository = "library/" + ref.repository;
  }
  if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
  if (ref.repository.size() + ref.registry.size() + 1 > 255) return bad(text, "it is too long");
  return ref;
}

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string Reference::api_host() const {
  return registry == kDockerHub ? "registry-1.docker.io" : registry;
}

std::string Reference::project() const { return repository.substr(0, repository.find('/')); }

bool is_loopback_host(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    name = name.substr(1, name.find(']') - 1);
    return name == "::1";
  }
  name = name.substr(0, name.find(':'));
  if (name == "localhost") return true;
  // 127.0.0.0/8, written as a dotted quad.
  auto parts = split(name, '.');
  if (parts.size() != 4 || parts[0] != "127") return false;
  return std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
    return !p.empty() && p.size() <= 3 && std::all_of(p.begin(), p.end(), ::isdigit) &&
           std::stoi(p) <= 255;
  });
}

}  // namespace ssf::registry
