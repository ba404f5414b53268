#include "package_docker.h"

#include <cstdlib>
#include <system_error>

namespace ssf::cli::package {

bool docker_daemon_reachable() {
  const char* host = std::getenv("DOCKER_HOST");
  if (!host || !*host) {
    std::error_code ec;
    if (!std::filesystem::exists("/var/run/docker.sock", ec)) return false;
  } else if (starts_with(host, "unix://")) {
    std::error_code ec;
    if (!std::filesystem::exists(std::string(host).substr(7), ec)) return false;
  }
  auto out = run_process({"docker", "version", "--format", "{{.Server.Version}}"});
  return out && out->exit_code == 0;
}

Status docker_load(const std::filesystem::path& archive) {
  auto out = run_process({"docker", "load", "-i", archive.string()});
  if (!out) return Error(ResultCode::PackagingError, "docker load: " + out.error().message());
  for (const auto& line : split(out->out, '\n')) {
    if (!trim(line).empty()) log::debug("docker load: {}", line);
  }
  if (out->exit_code != 0) {
    return Error(ResultCode::PackagingError,
                 fmt::format("docker load failed ({}): {}", out->exit_code, trim(out->out)));
  }
  return {};
}

namespace {

Status docker_step(const std::vector<std::string>& argv, std::string_view what) {
  log::info("{}", join(argv, " "));
  auto out = run_process(argv);
  if (!out) return Error(ResultCode::PackagingError, fmt::format("{}: {}", what, out.error().message()));
  auto lines = split(out->out, '\n');
  for (const auto& line : lines) {
    if (!trim(line).empty()) log::debug("{}: {}", what, line);
  }
  if (out->exit_code != 0) {
    while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
    std::string last = lines.empty() ? "" : std::string(trim(lines.back()));
    return Error(ResultCode::PackagingError,
                 fmt::format("{} failed ({}): {}", what, out->exit_code, last));
  }
  return {};
}

}  // namespace

Status docker_build(const std::filesystem::path& bundle, const std::string& tag,
                    const std::function<Status()>& base_loader,
                    const std::filesystem::path& saved) {
  auto context = TempDir::create("gc-ssf-docker-context-");
  if (!context) return std::move(context).error();
  SSF_TRY(docker_step({"tar", "-C", context->path().string(), "-xzf", bundle.string()},
                      "extracting the bundle"));
  if (base_loader) SSF_TRY(base_loader());
  SSF_TRY(docker_step({"docker", "build", "-t", tag, context->path().string()}, "docker build"));
  return docker_step({"docker", "save", "-o", saved.string(), tag}, "docker save");
}

}  // namespace ssf::cli::package
