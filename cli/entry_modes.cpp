#include "entry_modes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace ssf::cli {

Result<std::vector<std::string>> split_shell_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (++i == text.size()) return Error(ResultCode::ArgumentError, "SSF_OPTIONS ends with '\\'");
      if (text[i] != '\n') word += text[i];
    } else if (c == '\'') {
      size_t end = text.find('\'', i + 1);
      if (end == std::string_view::npos) {
        return Error(ResultCode::ArgumentError, "SSF_OPTIONS has an unterminated ' quote");
      }
      word += text.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      // Within double quotes a backslash escapes only $ ` " \ and newline, as in a shell.
      for (++i;; ++i) {
        if (i >= text.size()) {
          return Error(ResultCode::ArgumentError, "SSF_OPTIONS has an unterminated \" quote");
        }
        if (text[i] == '"') break;
        if (text[i] == '\\' && i + 1 < text.size() &&
            std::strchr("$`\"\\\n", text[i + 1]) != nullptr) {
          ++i;
        }
        word += text[i];
      }
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<std::vector<std::string>> apply_options_from_env(std::vector<std::string> args) {
  if (args.empty() || args[0] != "--options-from-env") return args;
  if (args.size() < 2) {
    return Error(ResultCode::ArgumentError, "--options-from-env needs the name of a variable");
  }
  const char* value = std::getenv(args[1].c_str());
  args.erase(args.begin(), args.begin() + 2);
  if (!value) return args;
  auto words = split_shell_words(value);
  if (!words) return std::move(words).error();
  args.insert(args.end(), words->begin(), words->end());
  return args;
}

int health_check_main() {
  std::string host = "127.0.0.1";
  int port = 8100;
  bool ssl = false;
  const char* options = std::getenv("SSF_OPTIONS");
  auto words = split_shell_words(options ? options : "");
  if (!words) return 1;
  const auto& w = *words;
  for (size_t i = 0; i < w.size(); ++i) {
    auto value = [&](std::string_view name) -> std::optional<std::string> {
      if (w[i] == name && i + 1 < w.size()) return w[i + 1];
      if (starts_with(w[i], std::string(name) + "=")) return w[i].substr(name.size() + 1);
      return std::nullopt;
    };
    if (auto p = value("--port")) port = std::atoi(p->c_str());
    if (auto p = value("-p")) port = std::atoi(p->c_str());
    if (auto h = value("--host")) host = *h;
    if (w[i] == "--enable-ssl") ssl = true;
  }
  if (host == "0.0.0.0" || host == "::" || host == "localhost") host = "127.0.0.1";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return 1;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 1;
  timeval timeout{4, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int result = 1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    if (ssl) {
      result = 0;
    } else {
      std::string request = "GET /health/ready HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
      char reply[64] = {};
      if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
              static_cast<ssize_t>(request.size()) &&
          ::recv(fd, reply, sizeof reply - 1, MSG_WAITALL) >= 12) {
        result = std::strncmp(reply + 8, " 200", 4) == 0 ? 0 : 1;
      }
    }
  }
  ::close(fd);
  return result;
}

}  // namespace ssf::cli
