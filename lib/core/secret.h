#pragma once
// A value that must never be shown: registry passwords, API keys, SSH keys. It has no implicit
// conversion to text; reveal() is the one, greppable place it is read. Constructing one registers
// it with the log so that it is redacted even when it reaches a message by another route.

#include <string>
#include <utility>

#include "core/log.h"

namespace ssf {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) { log::add_secret(value_); }

  bool empty() const { return value_.empty(); }
  const std::string& reveal() const { return value_; }

 private:
  std::string value_;
};

}  // namespace ssf

template <>
struct fmt::formatter<ssf::Secret> : fmt::formatter<std::string_view> {
  auto format(const ssf::Secret&, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format("********", ctx);
  }
};
