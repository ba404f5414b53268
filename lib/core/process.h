#pragma once
// Runs a local program and waits for it. The program is found on PATH; nothing goes through a
// shell, so arguments need no quoting. Secrets go in `stdin_data`, never in argv.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ssf {

struct ProcessOptions {
  std::filesystem::path cwd;                                // empty: the current directory
  std::vector<std::pair<std::string, std::string>> env;     // added to (or replacing) ours
  std::optional<std::string> stdin_data;                    // nullopt: stdin is /dev/null
  bool capture_output = true;  // false: the child writes to our stdout and stderr
};

struct ProcessOutput {
  int exit_code = 0;  // 128 + N when killed by signal N, as a shell reports it
  std::string out;    // stdout then stderr, interleaved as they arrived, when captured
};

// Errors: InternalError when the program cannot be started (not found, not executable). A
// non-zero exit is not an error here: the caller decides what it means.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                  const ProcessOptions& options = {});

}  // namespace ssf
