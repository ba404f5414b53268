// init (ssf-behaviour.md §1.2, upstream's ssf/init.py): fetch a remote config source, then remove
// what earlier builds left: the declared artifacts, generated endpoint files, the app's venv.

#include <algorithm>

#include "commands.h"

namespace fs = std::filesystem;

namespace ssf::cli {
namespace {

void log_output(std::string_view tag, const std::string& output) {
  for (const auto& line : split(output, '\n')) {
    if (!trim(line).empty()) log::debug("[{}] {}", tag, line);
  }
}

Status git(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv = {"git", "--no-pager"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = cwd;
  // Never wait for a password prompt; accept a new SSH host key once (as upstream's keyscan did)
  // but refuse a changed one.
  options.env = {{"GIT_TERMINAL_PROMPT", "0"},
                 {"GIT_SSH_COMMAND", "ssh -o StrictHostKeyChecking=accept-new -o BatchMode=yes"}};
  auto out = run_process(argv, options);
  if (!out) {
    return Error(ResultCode::GitRepoError, "Git clone errored: " + out.error().message());
  }
  log_output("git", out->out);
  if (out->exit_code != 0) {
    std::string last_line;
    for (const auto& line : split(out->out, '\n')) {
      if (!trim(line).empty()) last_line = trim(line);
    }
    return Error(ResultCode::GitRepoError,
                 fmt::format("Git clone errored ({}): {}", out->exit_code, last_line));
  }
  return {};
}

Status clone(const ConfigSource& source, const fs::path& cwd) {
  fs::path root = cwd / ".repo";
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root, ec);
  if (ec) {
    return Error(ResultCode::GitRepoError,
                 fmt::format("Git clone errored: cannot create {}: {}", root.string(), ec.message()));
  }
  log::info("> Cloning repo");
  if (!source.checkout) {
    return git({"clone", "--depth", "1", "--recurse-submodules", "--shallow-submodules", "--",
                source.repo, source.repo_name},
               root);
  }
  SSF_TRY(git({"clone", "--no-checkout", "--recurse-submodules", "--", source.repo, source.repo_name},
              root));
  SSF_TRY(git({"checkout", *source.checkout}, source.repo_dir));
  return git({"submodule", "update", "--init", "--recursive"}, source.repo_dir);
}

// Paperspace's model store, through its own `gradient` CLI (upstream's way). The API key is read
// from the environment variable named by --deploy-paperspace-api-key and passed in the child's
// environment, never on its command line.
Status download_gradient_model(const ConfigSource& source, const Context& context) {
  const auto& var = context.options.deploy_paperspace_api_key;
  const char* key = var ? std::getenv(var->c_str()) : nullptr;
  if (!key) {
    return Error(ResultCode::PaperspaceDeploymentError,
                 "Deployment API key must be specified (--deploy-paperspace-api-key <ENV>) to "
                 "download a gradient model");
  }
  Secret api_key{key};
  std::error_code ec;
  fs::remove_all(source.repo_dir, ec);
  fs::create_directories(source.repo_dir, ec);
  log::info("> Pulling model from Gradient");
  ProcessOptions options;
  options.env = {{"PAPERSPACE_API_KEY", api_key.reveal()}};
  auto out = run_process({"gradient", "models", "download", "--id", source.repo, "--destinationDir",
                          source.repo_dir.string()},
                         options);
  if (!out || out->exit_code != 0) {
    return Error(ResultCode::PaperspaceDeploymentError,
                 fmt::format("Failed to download gradient model {}: {}", source.repo,
                             out ? "gradient exited with " + std::to_string(out->exit_code)
                                 : out.error().message()));
  }
  log_output("gradient", out->out);
  for (const auto& zip : glob_files(source.repo_dir, "*.zip")) {
    ProcessOptions in_dir;
    in_dir.cwd = source.repo_dir;
    auto unzip = run_process({"unzip", "-o", zip, "-d", "."}, in_dir);
    if (!unzip || unzip->exit_code != 0) {
      return Error(ResultCode::PaperspaceDeploymentError, "Failed to unzip " + zip);
    }
  }
  return {};
}

void remove_file(const fs::path& path) {
  std::error_code ec;
  if (fs::remove(path, ec)) log::info("Clean {}", path.string());
  else if (ec) log::warning("Could not remove {}: {}", path.string(), ec.message());
}

}  // namespace

Status fetch_remote_source(const ConfigSource& source, const Context& context) {
  if (source.kind == ConfigSource::Kind::GradientModel) {
    return download_gradient_model(source, context);
  }
  return clone(source, context.cwd);
}

Status run_init(Context& context) {
  const config::Application& app = context.config.application;

  log::info("> Cleaning endpoints");
  // Endpoint modules that upstream's build generated in the working directory; gc-ssf generates
  // none, but a directory shared with upstream may still hold them.
  for (const auto& file : glob_files(context.cwd, "ssf-" + app.id + "-endpoint-*-*.py")) {
    remove_file(context.cwd / file);
  }

  log::info("> Cleaning application");
  // Destructive, so as upstream: no recursion, files only, each directory named explicitly.
  for (const auto& pattern : app.artifacts) {
    for (const auto& file : glob_files(app.dir, pattern, {.recursive = false})) {
      remove_file((app.dir / file).lexically_normal());
    }
  }

  std::error_code ec;
  if (fs::exists(app.venv_dir, ec)) {
    log::info("Removing application venv {}", app.venv_dir.string());
    fs::remove_all(app.venv_dir, ec);
    if (ec) {
      return Error(ResultCode::InstallationError,
                   fmt::format("Could not remove {}: {}", app.venv_dir.string(), ec.message()));
    }
  }
  return {};
}

}  // namespace ssf::cli
