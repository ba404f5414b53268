#pragma once
// `test`'s checks: templates/python/ssf/_test_runner.py run against a served application, its
// reports replayed into gc-ssf's log and counted. Internal to cli.

#include <optional>
#include <string>

#include "commands.h"

namespace ssf::cli {

struct TestTarget {
  std::string url;  // "http://127.0.0.1:8100": the server, and `ipaddr` for the app's tests
  Secret key;       // the server's API key
  // Whether the API-key routes (/logout, /login) are checked. Probe: only when the server has
  // them, i.e. was run with --key (a server started by somebody else, key unknown).
  enum class Security { Check, Probe } security = Security::Check;
  std::optional<std::string> container;  // watched while waiting for ready: it must keep running
};

struct TestCounts {
  int ok = 0;
  int ko = 0;
};

// Runs the built-in subtests, then the application's SSFApplicationTestInterface (Python apps),
// with the application's interpreter (its venv's, when it has one) in the module's directory.
// Each subtest is logged as it is reported. Errors: ApplicationModuleError (35) when the test
// interface cannot be loaded (upstream's messages), InstallationError (10) when the interpreter
// lacks `requests`, InternalError when the runner cannot start or dies.
Result<TestCounts> run_checks(const Context& context, const TestTarget& target);

}  // namespace ssf::cli
