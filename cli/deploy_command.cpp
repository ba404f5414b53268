// `deploy` (upstream's Gcore platform, over SSH): the release rolled out to every target, one
// batch at a time, health-gated, rolled back on failure (lib/deploy). `--dry-run` prints the plan.

#include "commands.h"
#include "deploy_options.h"

namespace ssf::cli {

Status run_deploy(Context& context) {
  const config::Options& o = context.options;
  if (o.deploy_platform != "Gcore") {
    return Error(ResultCode::NotImplementedError,
                 fmt::format("deploy platform '{}' is not implemented in gc-ssf; use Gcore "
                             "(SSH to edge hosts)",
                             o.deploy_platform));
  }
  auto release = make_release(context);
  if (!release) return std::move(release).error();
  auto targets = deploy_targets(context);
  if (!targets) return std::move(targets).error();
  if (o.dry_run) {
    std::vector<std::string> hosts;
    for (const auto& t : *targets) hosts.push_back(t.to_string());
    log::info("> Dry run: {} to {} (batches of {})", release->image, join(hosts, ", "),
              std::max(1, o.deploy_batch_size));
    for (const auto& line : split(deploy::describe_plan(*release), '\n')) {
      if (!line.empty()) log::info("{}", line);
    }
    return {};
  }
  SSF_TRY(run_on_fleet(context, "Deploy", [&](remote::Runner& runner, deploy::HostReport& report) {
    return deploy::roll_out(runner, *release, report);
  }));
  log::info("> Started {} as \"{}\" at {}", release->image, release->name,
            o.deploy_gcore_target_address.value_or(o.deploy_targets_file.value_or("")));
  return {};
}

}  // namespace ssf::cli
