#pragma once
// How gc-ssf starts inside an image, without a shell (the base may have none):
//
//   gc-ssf --options-from-env SSF_OPTIONS <args...>
//       The image's entry point. Removes the two words and appends the words of $SSF_OPTIONS,
//       split as a POSIX shell splits an unquoted `$SSF_OPTIONS` plus quotes ('...', "...",
//       backslash), with no expansion: upstream's `gc-ssf ... run $SSF_OPTIONS` in run.sh, where
//       a quoted value with spaces ("--key 'a b'") also works. Must be the first argument.
//   gc-ssf --ssf-health-check
//       The image's HEALTHCHECK: GET /health/ready on the port (and address) that $SSF_OPTIONS
//       gives the server (-p/--port, --host; 8100 and 127.0.0.1 by default). Exit 0 when it
//       answers 200, 1 otherwise. With --enable-ssl it checks that the port accepts connections.
// Both are hidden flags: they are for the image, not for people.

#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"

namespace ssf::cli {

// Errors: ArgumentError (1) for an unterminated quote or a trailing backslash.
Result<std::vector<std::string>> split_shell_words(std::string_view text);

// `args` (argv without argv[0]) with a leading `--options-from-env VAR` applied.
// Errors: ArgumentError when VAR is missing or its value does not split.
Result<std::vector<std::string>> apply_options_from_env(std::vector<std::string> args);

// The health check's main; returns the exit status.
int health_check_main();

}  // namespace ssf::cli
