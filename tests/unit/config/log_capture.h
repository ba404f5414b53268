#pragma once
// Collects the log records written while it lives, for tests that check a warning.

#include <string>

#include "core/core.h"

namespace ssf::config::test {

class LogCapture {
 public:
  LogCapture() {
    log::init({dir_.path() / "ssf.log", log::Level::Debug, log::Level::Critical, false});
  }
  ~LogCapture() { log::init({"", log::Level::Debug, log::Level::Warning, false}); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string text() const {
    log::flush();
    auto content = read_file(dir_.path() / "ssf.log");
    return content ? *content : std::string();
  }
  bool contains(const std::string& needle) const {
    return text().find(needle) != std::string::npos;
  }

 private:
  TempDir dir_ = TempDir::create("gc-ssf-config-test-").value();
};

}  // namespace ssf::config::test
