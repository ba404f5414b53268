// Rendering commands for the remote shell: the one place words are quoted.

#include <charconv>

#include "remote/remote.h"

namespace ssf::remote {

namespace {

bool safe_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '_': case '@': case '%': case '+': case '=': case ':': case ',': case '.': case '/':
    case '-':
      return true;
    default:
      return false;
  }
}

// `. /dev/stdin` reads the exports from the channel; `exec "$@"` then runs the words as given,
// so the script itself never holds a value.
constexpr std::string_view kEnvWrapper = ". /dev/stdin && exec \"$@\"";

}  // namespace

std::string shell_quote(std::string_view word) {
  if (word.empty()) return "''";
  bool safe = true;
  for (char c : word) safe = safe && safe_char(c);
  if (safe) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string render(const Command& command) {
  std::vector<std::string> words;
  if (!command.env.empty()) {
    words = {"sh", "-c", shell_quote(kEnvWrapper), "sh"};
  }
  for (const auto& word : command.argv) words.push_back(shell_quote(word));
  return join(words, " ");
}

std::string render_stdin(const Command& command) {
  if (command.env.empty()) return command.stdin_data.reveal();
  std::string script;
  for (const auto& [name, value] : command.env) {
    script += "export " + name + "=" + shell_quote(value) + "\n";
  }
  return script;
}

std::string Target::to_string() const {
  std::string out = user.empty() ? "" : user + "@";
  bool v6 = host.find(':') != std::string::npos;
  out += v6 ? "[" + host + "]" : host;
  if (port != 22) out += ":" + std::to_string(port);
  return out;
}

Result<Target> parse_target(std::string_view address, std::string_view user) {
  Target t;
  t.user = std::string(user);
  std::string_view rest = trim(address);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    t.user = std::string(rest.substr(0, at));
    rest = rest.substr(at + 1);
  }
  std::string_view port_text;
  if (starts_with(rest, "[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return Error(ResultCode::ArgumentError, fmt::format("target address '{}': missing ']'", address));
    }
    t.host = std::string(rest.substr(1, close - 1));
    std::string_view after = rest.substr(close + 1);
    if (starts_with(after, ":")) port_text = after.substr(1);
  } else if (auto colon = rest.find(':');
             colon != std::string_view::npos && rest.find(':', colon + 1) == std::string_view::npos) {
    t.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
  } else {
    t.host = std::string(rest);  // a name, an IPv4 address, or a bare IPv6 address
  }
  if (t.host.empty()) {
    return Error(ResultCode::ArgumentError, fmt::format("target address '{}': no host", address));
  }
  if (!port_text.empty() || (rest.size() && rest.back() == ':')) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return Error(ResultCode::ArgumentError,
                   fmt::format("target address '{}': '{}' is not a port number", address, port_text));
    }
    t.port = static_cast<uint16_t>(port);
  }
  return t;
}

}  // namespace ssf::remote
