// The application's venv (ssf-behaviour.md §4.3): created once, reused until `init` removes it.

#include <string>
#include <system_error>
#include <vector>

#include "apphost/apphost.h"

namespace ssf::apphost {
namespace {

// pip writes a lot and most of it is noise; all of it goes to ssf.log at debug, as upstream's
// logged_subprocess does, and the tail is shown at error when it fails.
void log_output(std::string_view tag, const std::string& output, bool failed) {
  auto lines = split(output, '\n');
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  size_t tail = lines.size() > 10 ? lines.size() - 10 : 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (failed && i >= tail) {
      log::error("{} {}", tag, lines[i]);
    } else {
      log::debug("{} {}", tag, lines[i]);
    }
  }
}

// Runs one step; on failure removes the half-made venv so that the next attempt starts afresh
// (upstream keeps it, and then reuses a venv that lacks the dependencies).
Status run_step(std::string_view tag, const std::vector<std::string>& argv,
                const std::filesystem::path& venv, const std::string& failure) {
  log::debug("Creating process with {} for [{}]", python_list_repr(argv), tag);
  auto out = run_process(argv);
  bool failed = !out || out->exit_code != 0;
  if (out) log_output(tag, out->out, failed);
  if (!failed) return {};
  if (!out) log::error("{}", out.error().message());
  std::error_code ec;
  std::filesystem::remove_all(venv, ec);
  return Error(ResultCode::InstallationError, failure);
}

std::vector<std::string> pip_install(const std::filesystem::path& python) {
  return {python.string(), "-m", "pip", "install", "--no-input", "--disable-pip-version-check"};
}

}  // namespace

Status ensure_venv(const config::Config& config) {
  const auto& app = config.application;
  const auto& deps = app.dependencies;
  if (!deps.poplar_wheels.empty()) {
    log::warning(
        "dependencies.poplar_wheels {} are not installed: gc-ssf does not manage the "
        "Poplar SDK",
        python_list_repr(deps.poplar_wheels));
  }
  if (deps.requirements.empty() && deps.pip_specs.empty()) {
    log::debug("Application has no Python dependencies: no venv");
    return {};
  }
  std::error_code ec;
  if (std::filesystem::is_directory(app.venv_dir, ec)) {
    log::info("> Using existing application venv {}", app.venv_dir.string());
    return {};
  }
  log::info("> Creating application venv {}", app.venv_dir.string());
  // System site-packages: the image's python3 may carry what apps need (numpy, torch) and
  // copying it into every venv would be slow and large.
  SSF_TRY(run_step(
      "venv",
      {system_python().string(), "-m", "venv", "--system-site-packages", app.venv_dir.string()},
      app.venv_dir, "Failed to create application venv " + app.venv_dir.string()));

  auto python = app.venv_dir / "bin" / "python";
  for (const auto& file : deps.requirements) {
    log::info("Installing python requirements {}", file.string());
    auto argv = pip_install(python);
    argv.insert(argv.end(), {"-r", file.string()});
    SSF_TRY(run_step("pip", argv, app.venv_dir,
                     "Failed to install application dependencies with " + file.string()));
  }
  if (!deps.pip_specs.empty()) {
    log::info("Installing python packages {}", join(deps.pip_specs, " "));
    auto argv = pip_install(python);
    argv.insert(argv.end(), deps.pip_specs.begin(), deps.pip_specs.end());
    SSF_TRY(run_step(
        "pip", argv, app.venv_dir,
        "Failed to install application dependencies with " + python_list_repr(deps.pip_specs)));
  }
  return {};
}

}  // namespace ssf::apphost
