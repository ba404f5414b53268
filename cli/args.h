#pragma once
// Parsing the command line as upstream's argparse does (ssf-behaviour.md §1.1): every word that
// names a command is pulled out first; the rest is parsed with options and positionals
// intermixed; unknown options and unknown positionals are kept, not refused.

#include <string>
#include <vector>

#include "config/config.h"
#include "core/core.h"

namespace ssf::cli {

struct ParsedArgs {
  config::Options options;  // options.commands: unknown positionals, then known commands in
                            // command-line order (upstream's args.commands)
  std::vector<std::string> known_commands;    // as given, duplicates removed
  std::vector<std::string> unknown_commands;  // positionals that name no command
  bool help = false;     // -h/--help was given (and the help text printed)
  bool version = false;  // --version was given (and printed)
};

// Errors: ArgumentError (1) with argparse-like text ("argument -p/--port: invalid int value:
// 'abc'"). Prints --help and --version itself.
Result<ParsedArgs> parse_args(const std::vector<std::string>& args);

// The --help text.
std::string help_text();

}  // namespace ssf::cli
