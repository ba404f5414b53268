// Where the Python side of apphost lives, and which interpreter runs an application.

#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "apphost/apphost.h"

namespace ssf::apphost {
namespace {

bool has_worker(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(dir / "ssf" / "_worker.py", ec);
}

}  // namespace

Result<std::filesystem::path> find_shim_dir() {
  std::vector<std::string> looked;
  if (const char* env = std::getenv("SSF_PYTHON_SHIM"); env && *env) {
    std::filesystem::path dir = std::filesystem::absolute(env);
    if (has_worker(dir)) return dir;
    looked.push_back(dir.string() + " ($SSF_PYTHON_SHIM)");
  }
  // The binary's own location, so that the build tree, an install and an image all work without
  // configuration: <prefix>/bin/gc-ssf beside <prefix>/share/gc-ssf/python.
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto dir = (exe.parent_path() / ".." / "share" / "gc-ssf" / "python").lexically_normal();
    if (has_worker(dir)) return dir;
    looked.push_back(dir.string());
  }
  return Error(
      ResultCode::FrameworkResourceError,
      "cannot find gc-ssf's Python worker (ssf/_worker.py); looked in " + join(looked, ", "));
}

std::filesystem::path python_for(const config::Config& config) {
  auto venv_python = config.application.venv_dir / "bin" / "python";
  std::error_code ec;
  if (!config.application.venv_dir.empty() && std::filesystem::exists(venv_python, ec)) {
    return venv_python;
  }
  return system_python();
}

std::filesystem::path system_python() {
  // Resolved once per process: every worker start and restart then execs the interpreter itself.
  static const std::filesystem::path resolved = [] {
    if (const char* named = std::getenv("SSF_PYTHON"); named && *named) {
      return std::filesystem::path(named);
    }
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path ? path : "/usr/bin", ':')) {
      std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / "python3";
      if (access(candidate.c_str(), X_OK) != 0) continue;
      // A pyenv shim is a shell script that costs a second or more per start: ask pyenv once.
      if (candidate.string().find("/.pyenv/shims/") != std::string::npos) {
        auto which = run_process({"pyenv", "which", "python3"});
        if (which && which->exit_code == 0) {
          std::filesystem::path real(std::string(trim(which->out)));
          if (access(real.c_str(), X_OK) == 0) return real;
        }
      }
      return candidate;
    }
    return std::filesystem::path("python3");
  }();
  return resolved;
}

}  // namespace ssf::apphost
