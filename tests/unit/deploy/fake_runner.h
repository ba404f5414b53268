#pragma once
// A remote::Runner that records every command (rendered as the SSH exec request would carry it,
// with its stdin) and answers from a script: the first rule whose prefix starts the rendered
// command decides the reply; unmatched commands succeed with no output.

#include <functional>
#include <string>
#include <vector>

#include "deploy/deploy.h"

namespace ssf::deploy::testing {

struct Call {
  std::string line;   // remote::render()
  std::string stdin;  // remote::render_stdin()
};

class FakeRunner : public remote::Runner {
 public:
  struct Rule {
    std::string prefix;
    std::function<Result<remote::Output>(const Call&)> reply;
  };

  std::string where() const override { return "edge1"; }

  Result<remote::Output> run(const remote::Command& command, const remote::RunOptions&) override {
    Call call{remote::render(command), remote::render_stdin(command)};
    calls.push_back(call);
    for (auto& rule : rules) {
      if (call.line.rfind(rule.prefix, 0) == 0) return rule.reply(call);
    }
    return remote::Output{};
  }

  Result<std::string> exchange(std::string_view host, uint16_t port, std::string_view request,
                               std::chrono::milliseconds, bool tls) override {
    exchanges.push_back(std::string(tls ? "tls " : "") + std::string(host) + ":" +
                        std::to_string(port) + " " +
                        std::string(request.substr(0, request.find('\r'))));
    return http(exchanges.size());
  }

  // Replies `out` (exit 0) to commands starting with `prefix`.
  void on(std::string prefix, std::string out, int exit_code = 0, std::string err = "") {
    rules.push_back({std::move(prefix), [=](const Call&) {
                       return Result<remote::Output>(remote::Output{exit_code, out, err});
                     }});
  }

  // The lines run, in order.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.line);
    return out;
  }
  bool ran(std::string_view prefix) const {
    for (const auto& c : calls) {
      if (c.line.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }

  std::vector<Rule> rules;
  std::vector<Call> calls;
  std::vector<std::string> exchanges;
  // The raw HTTP answer to the n-th probe (1-based). Default: 200 from nobody in particular.
  std::function<Result<std::string>(size_t)> http = [](size_t) {
    return Result<std::string>(std::string("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"));
  };
};

inline std::string ready_from(const std::string& instance) {
  return "HTTP/1.1 200 OK\r\nx-ssf-instance: " + instance + "\r\ncontent-length: 0\r\n\r\n";
}

// A clock whose sleeps advance time at once.
inline Clock instant_clock(std::chrono::steady_clock::time_point& now) {
  Clock c;
  c.now = [&now] { return now; };
  c.sleep = [&now](std::chrono::milliseconds d) { now += d; };
  return c;
}

}  // namespace ssf::deploy::testing
