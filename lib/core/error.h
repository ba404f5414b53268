#pragma once
// Errors are values: every failure carries the ResultCode that becomes gc-ssf's exit status, a
// one-line message, and context added by each layer it passes on the way up.
//
//   Result<Config> load(...);      // a Config, or an Error
//   Status run_init(...);          // OK, or an Error
//
// No exception crosses a module boundary; libraries that throw are wrapped where they are called.

#include <cstdlib>
#include <string>
#include <utility>
#include <variant>

#include "core/result_code.h"

namespace ssf {

class [[nodiscard]] Error {
 public:
  Error(ResultCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ResultCode code() const { return code_; }
  // The message with its context, outermost first: "init: clone https://x: git exited with 128".
  const std::string& message() const { return message_; }

  // Prefixes what the caller knows: error.with_context("push reg/app:1") reads
  // "push reg/app:1: <message>". The code is kept: it is chosen once, where the error is made.
  Error with_context(std::string_view context) &&;

 private:
  ResultCode code_;
  std::string message_;
};

// OK or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  // Precondition: !ok().
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{ResultCode::Ok, ""};
  bool ok_ = true;
};

// A T or an Error, with std::expected's surface so that C++23 can replace it with an alias.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return check(), std::get<0>(v_); }
  const T& value() const& { return check(), std::get<0>(v_); }
  T&& value() && { return check(), std::move(std::get<0>(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !has_value().
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::move(std::get<1>(v_)); }

 private:
  void check() const {
    if (v_.index() != 0) std::abort();  // a bug: value() on an error
  }
  std::variant<T, Error> v_;
};

// Returns the error of a Status-returning expression from the enclosing function.
#define SSF_TRY(expr)                                   \
  do {                                                  \
    if (auto ssf_try_status_ = (expr); !ssf_try_status_) \
      return std::move(ssf_try_status_).error();        \
  } while (0)

}  // namespace ssf
