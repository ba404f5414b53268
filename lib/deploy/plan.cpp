// --dry-run: the rollout's commands, rendered exactly as the exec requests would carry them.

#include "deploy/deploy.h"

namespace ssf::deploy {

std::string describe_plan(const Release& release) {
  const std::string live = release.name;
  const std::string next = release_name(release.name, 2);
  const bool overlap = release.strategy == Strategy::Overlap;
  std::string out;
  auto line = [&](std::string_view step, const remote::Command& command, std::string_view note) {
    out += fmt::format("  {:<8} {}\n", step, remote::render(command));
    if (!note.empty()) out += fmt::format("  {:<8}   ({})\n", "", note);
  };
  out += fmt::format(
      "Plan for each host, assuming release 1 of {} is live there (the release number follows "
      "the host's newest):\n",
      release.name);
  line("state", commands::list(), "");
  line("pull", commands::pull(release),
       release.login ? "the registry password goes on stdin; the docker config is removed" : "");
  if (!overlap) line("stop", commands::stop(live, release.stop_grace_seconds), "replace strategy");
  std::string env_names = "SSF_OPTIONS";
  for (const auto& [var, value] : release.env) env_names += ", " + var;
  line("start", commands::run(release, 2), "environment on stdin: " + env_names);
  std::string ssf_options = release.ssf_options;
  if (overlap) ssf_options += (ssf_options.empty() ? "" : " ") + ("--reuse-port --instance-id " + next);
  out += fmt::format("  {:<8}   SSF_OPTIONS={}\n", "", ssf_options);
  out += fmt::format("  {:<8} GET http{}://{}:{}/health/ready through the SSH connection until 200"
                     "{} within {} s; stop if {} exits\n",
                     "gate", release.tls ? "s" : "", release.health_host, release.port,
                     overlap ? " from instance " + next : std::string(),
                     release.startup_timeout.count() / 1000, next);
  if (overlap) line("retire", commands::stop(live, release.stop_grace_seconds), "drains, then stops");
  line("rename", commands::rename(live, release_name(release.name, 1)), "");
  line("rename", commands::rename(next, live), "");
  out += fmt::format("  {:<8} docker rm -f <oldest retired versions beyond {}>\n", "prune",
                     release.keep);
  out += fmt::format("  on failure: {}; {}; {}then wait until {} answers again\n",
                     remote::render(commands::logs(next, 30)), remote::render(commands::remove(next)),
                     overlap ? "" : remote::render(commands::start(live)) + "; ", live);
  return out;
}

}  // namespace ssf::deploy
