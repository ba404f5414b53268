// run_cli: upstream's sequence (ssf-behaviour.md §1.1), step by step:
// reset ssf.log → parse → log levels → argument checks → SSH keys → no command? done →
// self-package mode or config source → clone on init → config exists? → load and validate →
// expand {{...}} in options → ssf_version range → the commands, in their fixed order.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "args.h"
#include "commands.h"

namespace fs = std::filesystem;

namespace ssf::cli {
namespace {

constexpr CommandSpec kCommands[] = {
    {"init", "Init", "re-clone a remote application (--config <giturl>), remove its artifacts",
     run_init},
    {"build", "Build", "build the application (its venv and its build())", run_build},
    {"run", "Run", "serve the application", run_run},
    {"package", "Package", "package the application as a container image", run_package},
    {"test", "Test", "test the packaged image in a container", run_test},
    {"publish", "Publish", "push the packaged image to a registry", run_publish},
    {"deploy", "Deploy",
     "deploy to edge hosts (the generic SSF image, or the app's with --deploy-package)",
     run_deploy},
    // gc-ssf's own, on the targets of deploy.
    {"status", "Status", "show the deployed service on each target: containers, image, health",
     run_status},
    {"logs", "Logs", "show the last lines (--logs-tail) of the deployed service's log on each target",
     run_logs},
    {"rollback", "Rollback", "put the previous deployed version back on each target, health-gated",
     run_rollback},
    {"undeploy", "Undeploy", "remove the deployed service's containers from each target",
     run_undeploy},
};

// Adds every secret given on the command line to the log's redaction list, before anything can
// log it. Secret's constructor registers the value.
void register_secrets(const config::Options& options) {
  for (const auto& spec : config::option_table()) {
    if (!spec.secret) continue;
    if (auto* field = std::get_if<std::optional<std::string> config::Options::*>(&spec.field)) {
      if (const auto& value = options.*(*field)) Secret{*value};
    } else if (auto* str = std::get_if<std::string config::Options::*>(&spec.field)) {
      Secret{options.*(*str)};
    }
  }
}

Status check_arguments(const ParsedArgs& parsed) {
  const auto& o = parsed.options;
  auto has = [&](std::string_view c) {
    return std::find(parsed.known_commands.begin(), parsed.known_commands.end(), c) !=
           parsed.known_commands.end();
  };
  if (has("publish") && has("deploy") && !o.deploy_package) {
    return Error(ResultCode::ArgumentError,
                 "Do not attempt to publish the application container image while also deploying "
                 "within the SSF image. Either, use `--deploy-package` to deploy the published "
                 "application container image (instead of the SSF image), or, remove `publish`");
  }
  if (o.deploy_name && o.deploy_name->find(' ') != std::string::npos) {
    return Error(ResultCode::ArgumentError, "--deploy-name should not contain any space");
  }
  return {};
}

// --add-ssh-key VAR: the key is in the environment variable VAR; it goes to the local ssh-agent
// on ssh-add's stdin, so that git (init) can use it. It never reaches a command line or a file.
Status add_ssh_keys(const config::Options& options) {
  for (const auto& var : options.add_ssh_key) {
    const char* value = std::getenv(var.c_str());
    if (!value) {
      return Error(ResultCode::SshError, fmt::format("SSH key '{}' must be set in environment", var));
    }
    Secret key(std::string(value) + "\n");
    // deploy authenticates with the key itself (in memory); only git (init) needs the agent.
    if (const char* agent = std::getenv("SSH_AUTH_SOCK"); !agent || !*agent) {
      log::debug("No ssh-agent: the key in '{}' is used by deploy only", var);
      continue;
    }
    ProcessOptions po;
    po.stdin_data = key.reveal();
    auto out = run_process({"ssh-add", "-"}, po);
    if (!out || out->exit_code != 0) {
      return Error(ResultCode::SshError,
                   fmt::format("Adding SSH key '{}' errored ({}); is an ssh-agent running "
                               "(SSH_AUTH_SOCK)?",
                               var, out ? std::to_string(out->exit_code) : out.error().message()));
    }
    log::info("Added SSH key from '{}'", var);
  }
  return {};
}

// Expands {{...}} in every string option but --modify-config, against the config.
Status expand_options(config::Options& options, const config::Value& dict) {
  for (const auto& spec : config::option_table()) {
    if (!spec.expand) continue;
    auto expand = [&](std::string& text) -> Status {
      if (text.find("{{") == std::string::npos) return {};
      auto expanded = config::expand_string(text, dict);
      if (!expanded) {
        return std::move(expanded).error().with_context(std::string(spec.long_name));
      }
      text = std::move(*expanded);
      return {};
    };
    if (auto* f = std::get_if<std::string config::Options::*>(&spec.field)) {
      SSF_TRY(expand(options.*(*f)));
    } else if (auto* o = std::get_if<std::optional<std::string> config::Options::*>(&spec.field)) {
      if (auto& value = options.*(*o)) SSF_TRY(expand(*value));
    } else if (auto* v = std::get_if<std::vector<std::string> config::Options::*>(&spec.field)) {
      for (auto& value : options.*(*v)) SSF_TRY(expand(value));
    }
  }
  return {};
}

Result<Context> make_context(ParsedArgs& parsed) {
  Context context;
  context.options = parsed.options;
  // The API key may come from the environment, which keeps it off command lines (ps, history).
  if (!context.options.key) {
    if (const char* key = std::getenv("SSF_API_KEY"); key && *key) {
      context.options.key = Secret(key).reveal();  // registered with the log as a secret
    }
  }
  context.cwd = fs::current_path();
  config::LoadOptions load;
  load.modify_config = parsed.options.modify_config;
  load.package_baseimage = parsed.options.package_baseimage;
  load.api = parsed.options.api;
  load.cwd = context.cwd;

  const auto& commands = parsed.known_commands;
  bool only_package_publish = !commands.empty() && std::all_of(commands.begin(), commands.end(), [](auto& c) {
    return c == "package" || c == "publish";
  });
  if (!parsed.options.config && only_package_publish) {
    log::info("> Self-package/publish");
    context.config = config::self_package_config(load);
    SSF_TRY(expand_options(context.options, context.config.dict));
    return context;
  }

  context.source = parse_config_source(parsed.options.config.value_or("ssf_config.yaml"), context.cwd);
  const ConfigSource& source = context.source;
  if (source.remote()) {
    log::info("> Repo {}", source.repo);
    log::info("> Repo dir {}", source.repo_dir.string());
    log::info("> Repo name {}", source.repo_name);
    log::info("> Config {}", source.config.string());
    log::info("> Config file {}", source.config_file.string());
    log::info("> Checkout {}", source.checkout.value_or("None"));
    if (std::find(commands.begin(), commands.end(), "init") != commands.end()) {
      SSF_TRY(fetch_remote_source(source, context));
    }
  } else {
    log::info("> Config {}", source.config.string());
  }

  std::error_code ec;
  if (!fs::is_regular_file(source.config, ec)) {
    if (source.remote()) log::error("Did you forget to run 'init' to fetch the repo");
    return Error(ResultCode::ArgumentError, "Missing config file " + source.config.string());
  }

  auto loaded = config::load_config(source.config, load);
  if (!loaded) return std::move(loaded).error();
  context.config = std::move(*loaded);
  SSF_TRY(expand_options(context.options, context.config.dict));
  // Secrets are in here; the log redacts them.
  log::debug("Arguments {}", context.options.to_value().to_json());
  if (!context.options.unknown_args.empty()) {
    log::warning("Ignoring unknown arguments {}", python_list_repr(context.options.unknown_args));
  }
  SSF_TRY(config::check_ssf_version(context.config));
  if (!parsed.unknown_commands.empty()) {
    log::warning("Ignoring unknown SSF commands {}", python_list_repr(parsed.unknown_commands));
  }
  return context;
}

Status run_commands(Result<ParsedArgs>& parsed) {
  if (!parsed) return std::move(parsed).error();
  register_secrets(parsed->options);

  auto file_level = log::parse_level(parsed->options.file_log_level).value_or(log::Level::Debug);
  auto stdout_level = log::parse_level(parsed->options.stdout_log_level).value_or(log::Level::Info);
  log::set_levels(file_level, stdout_level);

  SSF_TRY(check_arguments(*parsed));
  SSF_TRY(add_ssh_keys(parsed->options));
  if (parsed->known_commands.empty() && parsed->unknown_commands.empty()) return {};

  auto context = make_context(*parsed);
  if (!context) return std::move(context).error();
  for (const auto& command : kCommands) {
    const auto& wanted = parsed->known_commands;
    if (std::find(wanted.begin(), wanted.end(), command.name) == wanted.end()) continue;
    log::info("> ==== {} ====", command.heading);
    SSF_TRY(command.run(*context));
  }
  return {};
}

}  // namespace

std::span<const CommandSpec> command_table() { return kCommands; }

bool is_command(std::string_view word) {
  return std::any_of(std::begin(kCommands), std::end(kCommands),
                     [&](const CommandSpec& c) { return c.name == word; });
}

int run_cli(std::span<const std::string> argv) {
  log::init({});
  if (argv.empty()) {
    fputs(help_text().c_str(), stdout);
    return 0;
  }
  auto parsed = parse_args({argv.begin(), argv.end()});
  if (parsed && (parsed->help || parsed->version)) return 0;
  Status status = run_commands(parsed);
  int code = 0;
  if (!status) {
    const Error& error = status.error();
    code = to_int(error.code());
    // Unmet requirements are "can't run here", not failures: upstream logs them as warnings.
    if (error.code() == ResultCode::UnmetRequirement) log::warning("{}", error.message());
    else log::error("{}", error.message());
  }
  log::info("Exit with {}", code);
  log::shutdown();
  return code;
}

}  // namespace ssf::cli
