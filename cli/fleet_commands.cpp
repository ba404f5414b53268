// The companions of `deploy`, over the same targets: status, logs, undeploy, rollback.

#include "commands.h"
#include "deploy_options.h"

namespace ssf::cli {

namespace {

Result<deploy::Release> release_for(const Context& context) {
  // These commands never log in to a registry: no password is read.
  Context quiet = context;
  quiet.options.docker_username.reset();
  return make_release(quiet);
}

}  // namespace

Status run_status(Context& context) {
  auto release = release_for(context);
  if (!release) return std::move(release).error();
  return run_on_fleet(context, "Status", [&](remote::Runner& runner, deploy::HostReport& report) {
    auto status = deploy::status(runner, *release);
    if (!status) return Status(std::move(status).error());
    log::info("{}: {}: {}", runner.where(), release->name,
              status->live.empty() ? "not running" : "live " + status->live);
    for (const auto& c : status->state.containers) {
      log::info("{}:   {:<24} r{:<3} {:<10} {}", runner.where(), c.name, c.release, c.state, c.image);
    }
    if (!status->digest.empty()) log::info("{}:   image {}", runner.where(), status->digest);
    log::info("{}:   health {}", runner.where(), status->health);
    report.outcome = deploy::HostReport::Outcome::Deployed;
    report.detail = status->health;
    return Status();
  });
}

Status run_logs(Context& context) {
  auto release = release_for(context);
  if (!release) return std::move(release).error();
  return run_on_fleet(context, "Logs", [&](remote::Runner& runner, deploy::HostReport& report) {
    auto text = deploy::logs(runner, release->name, context.options.logs_tail);
    if (!text) return Status(std::move(text).error());
    log::info("> {} on {}:", release->name, runner.where());
    for (const auto& line : split(*text, '\n')) {
      if (!line.empty()) log::info("{}", line);
    }
    report.outcome = deploy::HostReport::Outcome::Deployed;
    return Status();
  });
}

Status run_undeploy(Context& context) {
  auto release = release_for(context);
  if (!release) return std::move(release).error();
  return run_on_fleet(context, "Undeploy",
                      [&](remote::Runner& runner, deploy::HostReport& report) -> Status {
    SSF_TRY(deploy::undeploy(runner, release->name));
    report.outcome = deploy::HostReport::Outcome::Deployed;
    report.detail = "removed";
    return Status();
  });
}

Status run_rollback(Context& context) {
  auto release = release_for(context);
  if (!release) return std::move(release).error();
  return run_on_fleet(context, "Rollback", [&](remote::Runner& runner, deploy::HostReport& report) {
    return deploy::roll_back(runner, *release, report);
  });
}

}  // namespace ssf::cli
