#pragma once
// What `deploy` and its companions (status, logs, undeploy, rollback) read from the config and
// the options: the release, SSF_OPTIONS (ssf-behaviour.md §8.1), the targets, and how to connect.

#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "deploy/deploy.h"
#include "remote/remote.h"

namespace ssf::cli {

// SSF_OPTIONS as upstream builds it (§8.1: each item only when set, in upstream's order), plus
// what upstream forgets to forward (§11), before --deploy-custom-args so that those still win:
// --api, --batching-timeout, --watchdog-request-threshold/-average and --max-allowed-restarts,
// each only when it differs from its default, so that upstream's SSF_OPTIONS are unchanged.
std::vector<std::string> container_options(const Context& context);

// The release that `deploy` rolls out. Errors: GcoreDeploymentError (177) for a missing
// --docker-password with --docker-username; ArgumentError (1) when the password cannot be read.
Result<deploy::Release> make_release(const Context& context);

// The target hosts: --deploy-gcore-target-address (comma-separated) then the lines of
// --deploy-targets-file (blank lines and # comments skipped), with --deploy-gcore-target-username
// as the default user. Errors: GcoreDeploymentError (177) "Target address must be specified"
// (upstream's) when there are none; for a file that cannot be read; for a bad address.
Result<std::vector<remote::Target>> deploy_targets(const Context& context);

// Connects to one target as the options say (keys, known_hosts policy, timeout).
Result<std::unique_ptr<remote::Runner>> connect_target(const Context& context,
                                                       const remote::Target& target);

// Runs `action` over the fleet, `--deploy-batch-size` at a time, and logs every host's state.
Status run_on_fleet(const Context& context, std::string_view what, const deploy::ActionFn& action);

}  // namespace ssf::cli
