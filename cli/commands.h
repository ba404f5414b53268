#pragma once
// The commands of gc-ssf and what they share. Commands always run in upstream's fixed order
// (kCommands' order), whatever the order on the command line; the first failure stops the chain
// and its code is the exit status.

#include <filesystem>
#include <span>
#include <string_view>

#include "config/config.h"
#include "config_source.h"
#include "core/core.h"

namespace ssf::cli {

// Everything a command may read. Built once by run_cli before the first command.
struct Context {
  config::Options options;
  config::Config config;
  ConfigSource source;
  std::filesystem::path cwd;  // the working directory at start: ssf.log, .repo, venvs live here
};

using CommandFn = Status (*)(Context&);

struct CommandSpec {
  std::string_view name;     // "init"
  std::string_view heading;  // "Init": logged as "> ==== Init ===="
  std::string_view help;     // one line for --help
  CommandFn run;
};

// In execution order: init, build, run, package, test, publish, deploy, then gc-ssf's own
// status, logs, rollback, undeploy.
std::span<const CommandSpec> command_table();
bool is_command(std::string_view word);

Status run_init(Context& context);
Status run_build(Context& context);
Status run_run(Context& context);
Status run_package(Context& context);
Status run_test(Context& context);
Status run_publish(Context& context);
Status run_deploy(Context& context);
// gc-ssf's own, after deploy: the deployed service on the same targets.
Status run_status(Context& context);
Status run_logs(Context& context);
Status run_undeploy(Context& context);
Status run_rollback(Context& context);

// Clones or downloads a remote config source into its directory (part of init, before the config
// is read). Errors: GitRepoError (13) "Git clone errored (<code>)"; 176 for gradient models.
Status fetch_remote_source(const ConfigSource& source, const Context& context);

// The whole command line: returns the process exit status.
int run_cli(std::span<const std::string> argv);

}  // namespace ssf::cli
