#pragma once
// deploy: an application image rolled out to edge hosts over SSH, health-gated, with rollback.
// The only header of this module that others include.
//
// A rollout on one host (roll_out), step by step; every remote command is built as data by the
// builders in namespace `commands` (pure functions, golden-tested) and run through a
// remote::Runner:
//   1. state    list the deployment's containers (docker labels are the on-host state; nothing
//               is kept in files on the host)
//   2. pull     with a temporary registry login whose password goes on stdin and whose docker
//               config directory is removed whatever happens
//   3. start    the new version as <name>-r<N>, beside the running one (Strategy::Overlap: the
//               gc-ssf runtime shares its port with SO_REUSEPORT and binds it only once ready), or
//               after stopping it (Strategy::Replace, for servers that cannot share the port)
//   4. gate     GET /health/ready through an SSH port forward until 200 from the new instance,
//               within startup_timeout; a container that exits fails at once
//   5. retire   stop the old version (it drains its in-flight requests), rename: the live
//               container is always named <name>
//   6. prune    keep `keep` retired versions for `gc-ssf rollback`; remove older ones
// On any failure from step 2 on, the old version is left or put back serving (and checked), the
// new one's last log lines are logged, the new container removed, and the error says why
// (GcoreDeploymentError, 177).
//
// Thread safety: functions are reentrant; a Runner is used by one thread at a time. deploy_fleet
// runs the hosts of one batch on threads of its own, one Runner each.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/core.h"
#include "remote/remote.h"

namespace ssf::deploy {

// The on-host state: labels on the deployment's containers.
inline constexpr std::string_view kLabelName = "ai.graphcore.ssf.deploy.name";
inline constexpr std::string_view kLabelRelease = "ai.graphcore.ssf.deploy.release";
inline constexpr std::string_view kLabelImage = "ai.graphcore.ssf.deploy.image";

enum class Strategy { Overlap, Replace };

struct RegistryLogin {
  std::string server;  // empty: Docker Hub
  std::string username;
  Secret password;  // on docker login's stdin only
};

// One version of the application, as it is to run on every host.
struct Release {
  std::string name;   // the deployment: the live container's name (--deploy-name or app id)
  std::string image;  // the image reference to pull and run
  // SSF_OPTIONS (ssf-behaviour.md §8.1). It may hold --key: the caller registers that value
  // as a secret; the container gets SSF_OPTIONS through the environment, never a command line.
  std::string ssf_options;
  // Further environment, e.g. the values of --add-ssh-key variables (registered secrets too).
  std::vector<std::pair<std::string, std::string>> env;
  bool ipus = false;  // total IPUs > 0: started with gc-docker, as upstream does
  std::string gpus;   // docker run --gpus <value>; empty: none
  std::optional<RegistryLogin> login;

  // Where /health/ready is asked, from the host (through the SSH connection).
  std::string health_host = "127.0.0.1";
  uint16_t port = 8100;
  bool tls = false;  // the server speaks HTTPS only (--enable-ssl): the probe does too
  std::chrono::milliseconds startup_timeout = std::chrono::seconds(600);  // application.startup_timeout
  Strategy strategy = Strategy::Overlap;
  // Seconds a retired version gets to drain before docker kills it.
  int stop_grace_seconds = 30;
  int keep = 3;  // retired versions kept for rollback
};

// One container of the deployment on a host, from `docker ps -a`.
struct Container {
  std::string name;
  int release = 0;      // 0: not made by gc-ssf (e.g. upstream's boot script)
  std::string state;    // docker's: running, exited, created, restarting, paused, dead
  std::string image;
  bool running() const { return state == "running" || state == "restarting"; }
};

struct HostState {
  std::vector<Container> containers;  // sorted by release, newest last
  // The container serving now: the running one named <name>, else the newest running one.
  const Container* live(std::string_view name) const;
  int newest_release() const;
};

// Parses the output of commands::list(); keeps the deployment's containers only.
Result<HostState> parse_state(std::string_view name, std::string_view ps_output);

// The container name of release n: "<name>-r<n>".
std::string release_name(std::string_view name, int release);

// Command builders: pure functions, no I/O.
namespace commands {
remote::Command list();
// A temporary docker config (mktemp -d) removed on exit, login with the password on stdin,
// pull. Without a login: docker pull.
remote::Command pull(const Release& release);
// Starts release `number` as container `container` (default: its release name, <name>-r<number>).
remote::Command run(const Release& release, int number, std::string_view container = {});
remote::Command inspect_state(std::string_view container);
remote::Command stop(std::string_view container, int grace_seconds);
remote::Command start(std::string_view container);
remote::Command rename(std::string_view from, std::string_view to);
remote::Command remove(std::string_view container);  // docker rm -f
remote::Command logs(std::string_view container, int lines);
remote::Command image_digest(std::string_view image);
}  // namespace commands

// Time, injectable so that tests of the gate do not wait.
struct Clock {
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  std::function<void(std::chrono::milliseconds)> sleep = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(d);
  };
  // How often the health gate probes (through the SSH forward: no process on the host); the
  // container's state (a docker command) is read at most every state_interval.
  std::chrono::milliseconds poll_interval = std::chrono::milliseconds(100);
  std::chrono::milliseconds state_interval = std::chrono::milliseconds(1000);
};

// The answer of GET <path> on host:port through the runner's forward (over TLS with `tls`):
// status and the x-ssf-instance header (empty when absent).
struct Probe {
  int status = 0;
  std::string instance;
};
Result<Probe> probe(remote::Runner& runner, std::string_view host, uint16_t port,
                    std::string_view path, std::chrono::milliseconds timeout, bool tls = false);

// What happened on one host.
struct HostReport {
  std::string host;
  enum class Outcome { NotAttempted, Deployed, RolledBack, Failed } outcome = Outcome::NotAttempted;
  std::string detail;  // "r3 live (app:v2)", or the cause of the failure
};
std::string_view outcome_name(HostReport::Outcome outcome);

// Steps 1-6 above on one host. Errors: GcoreDeploymentError (177) naming the host and step;
// report.outcome says whether the old version is serving again (RolledBack) or could not be
// put back (Failed).
Status roll_out(remote::Runner& runner, const Release& release, HostReport& report,
                const Clock& clock = {});

// Puts the newest retired version back (started, gated, then the live one retired).
// Errors: GcoreDeploymentError (177), also when there is no retired version to go back to.
Status roll_back(remote::Runner& runner, const Release& release, HostReport& report,
                 const Clock& clock = {});

// Removes every container of the deployment. Errors: 177.
Status undeploy(remote::Runner& runner, std::string_view name);

// One line per container of the deployment on this host, and the health of the live one.
struct HostStatus {
  HostState state;
  std::string live;     // name of the live container; empty when none
  std::string digest;   // the live image's repo digest, or its id
  std::string health;   // "ready", "not ready (503)", "unreachable: ..."
};
Result<HostStatus> status(remote::Runner& runner, const Release& release);

// The last `lines` log lines of the live container (stdout and stderr).
Result<std::string> logs(remote::Runner& runner, std::string_view name, int lines);

// The plan of a rollout as text, one command per line with what it is for, as it would run on a
// host where release 1 of the deployment is live (for --dry-run; secrets are never shown).
std::string describe_plan(const Release& release);

// Several hosts, `batch_size` at a time; a batch's hosts run in parallel. Stops after the first
// batch with a failure. `connect` opens a Runner for a host (errors count as that host's
// failure); `action` is roll_out or roll_back. Returns one report per host, in order, and the
// first error.
using ConnectFn = std::function<Result<std::unique_ptr<remote::Runner>>(const std::string& host)>;
using ActionFn = std::function<Status(remote::Runner&, HostReport&)>;
Status for_fleet(const std::vector<std::string>& hosts, int batch_size, const ConnectFn& connect,
                 const ActionFn& action, std::vector<HostReport>& reports);

}  // namespace ssf::deploy
