// The one file that calls CLI11. Options are registered from config::option_table(), so that this
// parser, the `args` handed to applications and deploy's forwarding agree on names and defaults.

#include "args.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "commands.h"

namespace ssf::cli {
namespace {

using config::OptionSpec;
using config::Options;

std::string names_of(const OptionSpec& spec) {
  // CLI11 takes one-letter short names only; "-ra"/"-rs" are rewritten to their long names first.
  std::string names;
  if (spec.short_name.size() == 2) names = std::string(spec.short_name) + ",";
  return names + std::string(spec.long_name);
}

std::string description() {
  std::string text = fmt::format(
      "gc-ssf {} (Simple Server Framework compatible)\n\n"
      "Supports application config ssf_version: {} - {}\n"
      "Package default base image: {}\n"
      "Deploy default SSF image: {}\n\n"
      "Commands run in this order, whatever their order on the command line; the first that "
      "fails stops the chain and its result code is the exit status:\n",
      SSF_VERSION, config::kMinimumSupportedVersion, config::kMaximumSupportedVersion,
      config::kPackageDefaultBaseImage, config::kSsfDeployImage);
  for (const auto& command : command_table()) {
    text += fmt::format("  {:<8} {}\n", command.name, command.help);
  }
  text +=
      "\nExamples:\n"
      "  gc-ssf --config ssf_config.yaml init build run\n"
      "  gc-ssf --config ssf_config.yaml --deploy-package init build package publish deploy\n";
  return text;
}

void add_option(CLI::App& app, const OptionSpec& spec, Options& options) {
  std::string names = names_of(spec);
  std::string help(spec.help);
  if (spec.short_name.size() > 2) help = "(also " + std::string(spec.short_name) + ") " + help;
  std::string group(config::group_title(spec.group));
  CLI::Option* opt = std::visit(
      [&](auto field) -> CLI::Option* {
        auto& target = options.*field;
        using T = std::decay_t<decltype(target)>;
        if constexpr (std::is_same_v<T, bool>) {
          return app.add_flag(names, target, help);
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          // Repeatable, one value each time (argparse's action="append").
          return app.add_option(names, target, help)->expected(1)->multi_option_policy(
              CLI::MultiOptionPolicy::TakeAll);
        } else if constexpr (std::is_same_v<T, std::vector<double>>) {
          // nargs="+": the last occurrence wins, as in argparse.
          return app.add_option(names, target, help)->expected(1, -1)->multi_option_policy(
              CLI::MultiOptionPolicy::TakeLast);
        } else {
          return app.add_option(names, target, help);
        }
      },
      spec.field);
  opt->group(group);
  if (!spec.choices.empty()) {
    std::vector<std::string> choices(spec.choices.begin(), spec.choices.end());
    opt->check(CLI::IsMember(choices));
  }
}

// "-ra 2" → "--replicate-application 2", since CLI11 short names are one letter.
std::vector<std::string> rewrite_two_letter_options(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const auto& arg : args) {
    std::string rewritten = arg;
    for (const auto& spec : config::option_table()) {
      if (spec.short_name.size() <= 2) continue;
      std::string s(spec.short_name);
      if (arg == s) rewritten = std::string(spec.long_name);
      else if (arg.rfind(s + "=", 0) == 0) rewritten = std::string(spec.long_name) + arg.substr(s.size());
    }
    out.push_back(rewritten);
  }
  return out;
}

}  // namespace

std::string help_text() {
  Options options;
  CLI::App app(description(), "gc-ssf");
  app.get_formatter()->column_width(40);
  app.option_defaults()->always_capture_default();
  for (const auto& spec : config::option_table()) add_option(app, spec, options);
  app.add_option("commands", options.commands, "Commands to run (see above)");
  app.add_flag("--version")->description("Print the version and exit");
  return app.help();
}

Result<ParsedArgs> parse_args(const std::vector<std::string>& raw_args) {
  ParsedArgs parsed;
  std::vector<std::string> rest;
  for (const auto& arg : raw_args) {
    if (is_command(arg)) {
      if (std::find(parsed.known_commands.begin(), parsed.known_commands.end(), arg) ==
          parsed.known_commands.end()) {
        parsed.known_commands.push_back(arg);
      }
    } else {
      rest.push_back(arg);
    }
  }
  for (const auto& arg : raw_args) {
    if (arg == "-h" || arg == "--help") {
      fputs(help_text().c_str(), stdout);
      parsed.help = true;
      return parsed;
    }
    if (arg == "--version") {
      printf("gc-ssf %s\n", SSF_VERSION);
      parsed.version = true;
      return parsed;
    }
  }

  Options& options = parsed.options;
  CLI::App app("gc-ssf", "gc-ssf");
  app.set_help_flag();  // handled above, before anything can fail
  app.allow_extras();
  for (const auto& spec : config::option_table()) add_option(app, spec, options);
  std::vector<std::string> positionals;
  app.add_option("commands", positionals);

  std::vector<std::string> args = rewrite_two_letter_options(rest);
  std::reverse(args.begin(), args.end());  // CLI11 takes its arguments in reverse order
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    return Error(ResultCode::ArgumentError, fmt::format("invalid arguments: {}", e.what()));
  }

  options.unknown_args = app.remaining();
  parsed.unknown_commands = positionals;
  options.commands = positionals;
  options.commands.insert(options.commands.end(), parsed.known_commands.begin(),
                          parsed.known_commands.end());
  if (!options.prometheus_endpoint.empty() && options.prometheus_endpoint[0] != '/') {
    options.prometheus_endpoint = "/" + options.prometheus_endpoint;
  }
  return parsed;
}

}  // namespace ssf::cli
