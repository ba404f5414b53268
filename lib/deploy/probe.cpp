// Health probes through the SSH connection: an HTTP/1.0 GET written on a forwarded TCP
// connection (remote::Runner::exchange), so that the port need not be reachable from here.

#include <charconv>
#include <cctype>

#include "deploy/deploy.h"

namespace ssf::deploy {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<Probe> probe(remote::Runner& runner, std::string_view host, uint16_t port,
                    std::string_view path, std::chrono::milliseconds timeout, bool tls) {
  const std::string request = fmt::format(
      "GET {} HTTP/1.0\r\nHost: {}:{}\r\nUser-Agent: gc-ssf-deploy\r\nConnection: close\r\n\r\n",
      path, host, port);
  auto response = runner.exchange(host, port, request, timeout, tls);
  if (!response) return std::move(response).error();
  // "HTTP/1.1 200 OK\r\n" then headers.
  const std::string& text = *response;
  auto line_end = text.find("\r\n");
  std::string_view status_line(text.data(), line_end == std::string::npos ? text.size() : line_end);
  Probe probe;
  auto space = status_line.find(' ');
  if (!starts_with(status_line, "HTTP/") || space == std::string_view::npos) {
    return Error(ResultCode::GcoreDeploymentError,
                 fmt::format("no HTTP answer from {}:{}{}", host, port, path));
  }
  std::string_view code = status_line.substr(space + 1, 3);
  auto [end, ec] = std::from_chars(code.data(), code.data() + code.size(), probe.status);
  if (ec != std::errc()) {
    return Error(ResultCode::GcoreDeploymentError,
                 fmt::format("bad HTTP status line from {}:{}: '{}'", host, port, status_line));
  }
  auto header_end = text.find("\r\n\r\n");
  std::string_view headers(text.data(), header_end == std::string::npos ? text.size() : header_end);
  for (const auto& header : split(headers, '\n')) {
    auto colon = header.find(':');
    if (colon == std::string::npos) continue;
    if (lower(trim(std::string_view(header).substr(0, colon))) == "x-ssf-instance") {
      probe.instance = std::string(trim(std::string_view(header).substr(colon + 1)));
    }
  }
  return probe;
}

}  // namespace ssf::deploy
