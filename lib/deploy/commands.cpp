// The remote commands of a deploy, as data: pure functions of the release (Kamal's builders,
// style.md §5). Only `docker` (and `sh` for the login's cleanup) is needed on the host.

#include "deploy/deploy.h"

namespace ssf::deploy {

namespace commands {

namespace {

std::string label(std::string_view key, std::string_view value) {
  return fmt::format("{}={}", key, value);
}

// Logs in with a docker config of its own, pulls, and removes that config on every exit path
// (EXIT covers errors; HUP/INT/TERM a dropped connection). The values are positional
// parameters, never pasted into the script; the password is read by docker from stdin.
constexpr std::string_view kLoginPull =
    "d=$(mktemp -d) || exit 1; trap 'rm -rf \"$d\"' EXIT; trap 'exit 129' HUP INT TERM; "
    "docker --config \"$d\" login --username \"$2\" --password-stdin $1 >/dev/null || "
    "{ echo \"docker login to ${1:-Docker Hub} failed\" >&2; exit 90; }; "
    "docker --config \"$d\" pull \"$3\"";

}  // namespace

remote::Command list() {
  // Every container, filtered on our side: a container that upstream's boot script started
  // has the deployment's name but no labels.
  return {{"docker", "ps", "-a", "--no-trunc", "--format",
           fmt::format("{{{{.Names}}}}\t{{{{.Label \"{}\"}}}}\t{{{{.Label \"{}\"}}}}\t{{{{.State}}}}"
                       "\t{{{{.Image}}}}",
                       kLabelName, kLabelRelease)},
          {},
          {}};
}

remote::Command pull(const Release& release) {
  if (!release.login) return {{"docker", "pull", release.image}, {}, {}};
  const RegistryLogin& login = *release.login;
  // "$1" is left unquoted in the script so that an empty server means Docker Hub.
  return {{"sh", "-c", std::string(kLoginPull), "sh", login.server, login.username, release.image},
          login.password,
          {}};
}

remote::Command run(const Release& release, int number, std::string_view container) {
  std::vector<std::string> argv;
  if (release.ipus) {
    // Upstream: gc-docker sets up the IPU devices and network itself (no --network host).
    argv = {"gc-docker", "--", "-d"};
  } else {
    argv = {"docker", "run", "-d", "--network", "host"};
  }
  const std::string name =
      container.empty() ? release_name(release.name, number) : std::string(container);
  argv.insert(argv.end(), {"--name", name, "--restart", "unless-stopped", "--label",
                           label(kLabelName, release.name), "--label",
                           label(kLabelRelease, std::to_string(number)), "--label",
                           label(kLabelImage, release.image)});
  if (!release.gpus.empty()) argv.insert(argv.end(), {"--gpus", release.gpus});
  std::vector<std::pair<std::string, std::string>> env;
  // Values come from the environment of the docker client (`-e NAME`), which the wrapper of
  // remote::render fills from stdin: none is on a command line.
  std::string options = release.ssf_options;
  if (release.strategy == Strategy::Overlap) {
    // The instance id names the release, whatever the container is called now or later
    // (the gate of a rollback asks for it after renames).
    options += (options.empty() ? "" : " ") + std::string("--reuse-port --instance-id ") +
               release_name(release.name, number);
  }
  env.emplace_back("SSF_OPTIONS", std::move(options));
  for (const auto& [var, value] : release.env) env.emplace_back(var, value);
  for (const auto& [var, value] : env) argv.insert(argv.end(), {"--env", var});
  argv.push_back(release.image);
  return {std::move(argv), {}, std::move(env)};
}

remote::Command inspect_state(std::string_view container) {
  return {{"docker", "inspect", "--format",
           "{{.State.Status}}\t{{.State.ExitCode}}\t{{.RestartCount}}", std::string(container)},
          {},
          {}};
}

remote::Command stop(std::string_view container, int grace_seconds) {
  return {{"docker", "stop", "--time", std::to_string(grace_seconds), std::string(container)},
          {},
          {}};
}

remote::Command start(std::string_view container) {
  return {{"docker", "start", std::string(container)}, {}, {}};
}

remote::Command rename(std::string_view from, std::string_view to) {
  return {{"docker", "rename", std::string(from), std::string(to)}, {}, {}};
}

remote::Command remove(std::string_view container) {
  return {{"docker", "rm", "-f", std::string(container)}, {}, {}};
}

remote::Command logs(std::string_view container, int lines) {
  return {{"docker", "logs", "--tail", std::to_string(lines), std::string(container)}, {}, {}};
}

remote::Command image_digest(std::string_view image) {
  return {{"docker", "image", "inspect", "--format",
           "{{if .RepoDigests}}{{index .RepoDigests 0}}{{else}}{{.Id}}{{end}}", std::string(image)},
          {},
          {}};
}

}  // namespace commands

std::string release_name(std::string_view name, int release) {
  return fmt::format("{}-r{}", name, release);
}

}  // namespace ssf::deploy
