// The rollout state machine on one host (deploy.h has the steps), and rollback to a retired
// version. Every failure after the pull puts the previous version back before returning.

#include <algorithm>
#include <charconv>

#include "deploy/deploy.h"

namespace ssf::deploy {

namespace {

using std::chrono::milliseconds;
using Outcome = HostReport::Outcome;

constexpr int kFailureLogLines = 30;
// docker commands that only read or change state; a pull or a stop has its own bound.
constexpr milliseconds kCommandTimeout = std::chrono::seconds(120);
constexpr milliseconds kPullTimeout = std::chrono::minutes(30);
constexpr milliseconds kProbeTimeout = std::chrono::seconds(5);
// How long a version that was serving before gets to answer again after a failed rollout.
constexpr milliseconds kRestoreTimeout = std::chrono::seconds(120);
// Exit status of the login step of commands::pull.
constexpr int kLoginFailed = 90;

Error deploy_error(std::string message) {
  return Error(ResultCode::GcoreDeploymentError, std::move(message));
}

std::string last_line(std::string_view text) {
  auto lines = split(std::string(trim(text)), '\n');
  return lines.empty() ? std::string() : std::string(trim(lines.back()));
}

// A phase of a rollout (pull, start, gate, retire) on the live status line of a terminal, and one
// INFO line when it ends ("deploy root@edge1: gate: done in 1.3 s"); a phase left unfinished
// (the rollout failed in it) says so.
class Phase {
 public:
  Phase(Progress& progress, std::string name)
      : progress_(progress), id_(progress.start(std::move(name))),
        started_(std::chrono::steady_clock::now()) {}
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;
  ~Phase() { finish("failed"); }

  void finish(std::string_view outcome = "done") {
    if (finished_) return;
    finished_ = true;
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
    progress_.finish(id_, fmt::format("{} in {:.1f} s", outcome, took.count()));
  }

 private:
  Progress& progress_;
  Progress::Id id_;
  std::chrono::steady_clock::time_point started_;
  bool finished_ = false;
};

// A runner bound to its host, with each command logged and each failure named by host and step.
class Host {
 public:
  Host(remote::Runner& runner, const Clock& clock) : runner_(runner), clock_(clock) {}

  remote::Runner& runner() { return runner_; }
  const Clock& clock() const { return clock_; }
  std::string where() const { return runner_.where(); }

  Result<remote::Output> run(const remote::Command& command, std::string_view step,
                             milliseconds timeout = kCommandTimeout) {
    log::debug("{}: {}: {}", where(), step, remote::render(command));
    auto out = runner_.run(command, {timeout});
    if (!out) return deploy_error(fmt::format("{}: {}: {}", where(), step, out.error().message()));
    return out;
  }

  // run(), and a non-zero exit status is an error quoting the command's last words.
  Status check(const remote::Command& command, std::string_view step,
               milliseconds timeout = kCommandTimeout) {
    auto out = run(command, step, timeout);
    if (!out) return std::move(out).error();
    if (out->exit_code != 0) {
      return deploy_error(fmt::format("{}: {} failed (exit {}): {}", where(), step, out->exit_code,
                                      last_line(out->err.empty() ? out->out : out->err)));
    }
    return {};
  }

  Result<HostState> state(std::string_view name) {
    auto out = run(commands::list(), "state");
    if (!out) return std::move(out).error();
    if (out->exit_code != 0) {
      return deploy_error(fmt::format("{}: docker is not usable (exit {}): {}", where(),
                                      out->exit_code, last_line(out->err)));
    }
    return parse_state(name, out->out);
  }

 private:
  remote::Runner& runner_;
  const Clock& clock_;
};

// Polls until the container answers /health/ready with 200 (from `instance`, when not empty:
// overlapping versions share the port) or `timeout` passes. A container that exits or restarts
// fails at once.
Status wait_ready(Host& host, const Release& release, const std::string& container,
                  const std::string& instance, milliseconds timeout) {
  const auto started = host.clock().now();
  const auto deadline = started + timeout;
  std::string last = "no answer yet";
  std::optional<std::chrono::steady_clock::time_point> inspected_at;
  while (true) {
    // The container's state costs a docker command on the host; the probe only a channel of
    // the SSH connection. So the probe runs every poll, the state check every state_interval.
    if (!inspected_at || host.clock().now() - *inspected_at >= host.clock().state_interval) {
      inspected_at = host.clock().now();
      auto inspected = host.run(commands::inspect_state(container), "gate");
      if (!inspected) return std::move(inspected).error();
      auto fields = split(std::string(trim(inspected->out)), '\t');
      if (inspected->exit_code != 0 || fields.size() != 3) {
        return deploy_error(fmt::format("{}: {} is gone: {}", host.where(), container,
                                        last_line(inspected->err)));
      }
      int restarts = 0;
      std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), restarts);
      if (fields[0] == "exited" || fields[0] == "dead" || restarts > 0) {
        return deploy_error(fmt::format("{}: {} exited with code {} before it was ready",
                                        host.where(), container, fields[1]));
      }
    }
    auto answer =
        probe(host.runner(), release.health_host, release.port, "/health/ready", kProbeTimeout,
              release.tls);
    if (answer && answer->status == 200 && (instance.empty() || answer->instance == instance)) {
      auto waited = std::chrono::duration_cast<milliseconds>(host.clock().now() - started);
      log::info("{}: {} is ready ({:.1f} s)", host.where(), container, waited.count() / 1000.0);
      return {};
    }
    if (answer) {
      last = answer->status == 200 ? "200 from the version still serving"
                                   : fmt::format("HTTP {}", answer->status);
    } else {
      last = answer.error().message();
    }
    if (host.clock().now() >= deadline) {
      return deploy_error(fmt::format("{}: {} was not ready within {} s (last answer: {})",
                                      host.where(), container, timeout.count() / 1000, last));
    }
    host.clock().sleep(host.clock().poll_interval);
  }
}

void log_container_output(Host& host, const std::string& container) {
  auto out = host.run(commands::logs(container, kFailureLogLines), "logs");
  if (!out) return;
  log::error("{}: last log lines of {}:", host.where(), container);
  for (const auto* stream : {&out->out, &out->err}) {
    for (const auto& line : split(*stream, '\n')) {
      if (!line.empty()) log::error("  {}", line);
    }
  }
}

// After a failure: the new container's logs are shown and it is removed; the version that was
// live is started again if it had been stopped, and must answer.
Status restore(Host& host, const Release& release, const std::string& failed,
               const std::optional<Container>& previous, bool previous_stopped, Error cause,
               HostReport& report) {
  log_container_output(host, failed);
  if (auto removed = host.check(commands::remove(failed), "remove the failed version"); !removed) {
    log::warning("{}", removed.error().message());
  }
  report.outcome = Outcome::RolledBack;
  report.detail = cause.message();
  if (!previous) return cause;
  if (previous_stopped) {
    if (auto started = host.check(commands::start(previous->name), "restart the previous version");
        !started) {
      report.outcome = Outcome::Failed;
      return deploy_error(cause.message() + "; and the previous version did not restart: " +
                          started.error().message());
    }
  }
  if (auto ready = wait_ready(host, release, previous->name, "", kRestoreTimeout); !ready) {
    report.outcome = Outcome::Failed;
    return deploy_error(cause.message() + "; and the previous version is not serving: " +
                        ready.error().message());
  }
  log::warning("{}: rolled back: {} is serving again", host.where(), previous->name);
  return cause;
}

// The live container gets the deployment's name; the one it replaces (running or not) gets its
// release name. Containers of upstream's boot script (no release) become "<name>-r0".
Status settle_names(Host& host, const Release& release, const HostState& state,
                    const std::string& live) {
  for (const auto& c : state.containers) {
    if (c.name == release.name && c.name != live) {
      SSF_TRY(host.check(commands::rename(c.name, release_name(release.name, c.release)),
                         "rename the retired version"));
    }
  }
  if (live != release.name) {
    SSF_TRY(host.check(commands::rename(live, release.name), "rename the new version"));
  }
  return {};
}

// Removes the oldest retired versions beyond release.keep. `state` is the snapshot taken before
// the rollout; `retired` is the version that was live then (stopped since). Failures only warn:
// the rollout itself has succeeded.
void prune(Host& host, const Release& release, const HostState& state, const std::string& retired) {
  std::vector<std::string> names;  // oldest first, as the snapshot is sorted
  for (const auto& c : state.containers) {
    if (c.running() && c.name != retired) continue;
    names.push_back(c.name == release.name ? release_name(release.name, c.release) : c.name);
  }
  for (size_t i = 0; i + static_cast<size_t>(release.keep) < names.size(); ++i) {
    if (auto removed = host.check(commands::remove(names[i]), "prune"); !removed) {
      log::warning("{}", removed.error().message());
    }
  }
}

Status fail_unchanged(Error cause, HostReport& report) {
  report.outcome = Outcome::RolledBack;
  report.detail = cause.message() + " (nothing was changed)";
  return cause;
}

// The host's containers of this release, the first thing roll_out and roll_back read; a host
// that cannot be read is reported Failed (its state is unknown).
Result<HostState> reported_state(Host& host, const Release& release, HostReport& report) {
  report.host = host.where();
  auto state = host.state(release.name);
  if (!state) {
    report.outcome = Outcome::Failed;
    report.detail = state.error().message();
  }
  return state;
}

}  // namespace

std::string_view outcome_name(HostReport::Outcome outcome) {
  switch (outcome) {
    case Outcome::NotAttempted: return "not attempted";
    case Outcome::Deployed: return "deployed";
    case Outcome::RolledBack: return "failed, previous version serving";
    case Outcome::Failed: return "FAILED, not serving";
  }
  return "";
}

Status roll_out(remote::Runner& runner, const Release& release, HostReport& report,
                const Clock& clock) {
  Host host(runner, clock);
  auto state = reported_state(host, release, report);
  if (!state) return std::move(state).error();
  std::optional<Container> previous;
  if (const Container* live = state->live(release.name)) previous = *live;
  const int number = state->newest_release() + 1;
  // The new version runs as <name>-r<number> beside the live one, and takes <name> once that is
  // retired; when nothing is called <name> it starts under it (one remote command fewer).
  const bool name_free = std::none_of(state->containers.begin(), state->containers.end(),
                                      [&](const Container& c) { return c.name == release.name; });
  const std::string name = name_free ? release.name : release_name(release.name, number);
  log::info("{}: deploying {} as {}{}", host.where(), release.image, name,
            previous ? " beside " + previous->name : std::string());

  Progress progress("deploy " + host.where());
  // 2. pull: nothing has changed yet if it fails.
  Phase pull_phase(progress, "pull " + release.image);
  auto pulled = host.run(commands::pull(release), "pull", kPullTimeout);
  if (!pulled) return fail_unchanged(std::move(pulled).error(), report);
  if (pulled->exit_code == kLoginFailed && release.login) {
    return fail_unchanged(
        deploy_error(fmt::format("{}: docker login to {} as {} failed: {}", host.where(),
                                 release.login->server.empty() ? "Docker Hub" : release.login->server,
                                 release.login->username, last_line(pulled->err))),
        report);
  }
  if (pulled->exit_code != 0) {
    return fail_unchanged(deploy_error(fmt::format("{}: pull {} failed (exit {}): {}", host.where(),
                                                   release.image, pulled->exit_code,
                                                   last_line(pulled->err))),
                          report);
  }

  pull_phase.finish();

  // 3. start
  Phase start_phase(progress, "start " + name);
  bool previous_stopped = false;
  if (previous && release.strategy == Strategy::Replace) {
    if (auto stopped = host.check(commands::stop(previous->name, release.stop_grace_seconds),
                                  "stop the previous version", kCommandTimeout);
        !stopped) {
      return fail_unchanged(std::move(stopped).error(), report);
    }
    previous_stopped = true;
  }
  if (auto started = host.check(commands::run(release, number, name), "start"); !started) {
    return restore(host, release, name, previous, previous_stopped, std::move(started).error(),
                   report);
  }

  start_phase.finish();

  // 4. gate
  Phase gate_phase(progress, "gate: /health/ready of " + name);
  const std::string instance =
      release.strategy == Strategy::Overlap ? release_name(release.name, number) : std::string();
  if (auto ready = wait_ready(host, release, name, instance, release.startup_timeout); !ready) {
    return restore(host, release, name, previous, previous_stopped, std::move(ready).error(),
                   report);
  }

  gate_phase.finish("ready");

  // 5. retire: the old version drains its requests (SIGTERM) and stops.
  if (previous && !previous_stopped) {
    Phase retire_phase(progress, "retire " + previous->name);
    if (auto stopped = host.check(commands::stop(previous->name, release.stop_grace_seconds),
                                  "stop the previous version");
        !stopped) {
      log::warning("{}", stopped.error().message());
    }
    retire_phase.finish("drained and stopped");
  }
  if (auto named = settle_names(host, release, *state, name); !named) {
    report.outcome = Outcome::Deployed;
    report.detail = fmt::format("r{} live as {} ({}); {}", number, name, release.image,
                                named.error().message());
    log::warning("{}", named.error().message());
    return {};
  }
  // 6. prune
  prune(host, release, *state, previous ? previous->name : std::string());
  report.outcome = Outcome::Deployed;
  report.detail = fmt::format("r{} live ({})", number, release.image);
  log::info("{}: {} live as {}", host.where(), release.image, release.name);
  return {};
}

Status roll_back(remote::Runner& runner, const Release& release, HostReport& report,
                 const Clock& clock) {
  Host host(runner, clock);
  auto state = reported_state(host, release, report);
  if (!state) return std::move(state).error();
  std::optional<Container> live;
  if (const Container* c = state->live(release.name)) live = *c;
  const Container* target = nullptr;
  for (const auto& c : state->containers) {
    if (c.running() || c.release == 0) continue;
    if (live && c.release >= live->release) continue;
    target = &c;  // sorted: the newest one below the live release wins
  }
  if (!target) {
    return fail_unchanged(
        deploy_error(fmt::format("{}: no earlier version of {} to roll back to", host.where(),
                                 release.name)),
        report);
  }
  const Container back = *target;
  // A retired container keeps its release name, unless it is the one named <name>.
  const std::string back_name = back.name;
  log::info("{}: rolling back to {} ({})", host.where(), back_name, back.image);
  bool live_stopped = false;
  if (live && release.strategy == Strategy::Replace) {
    SSF_TRY(host.check(commands::stop(live->name, release.stop_grace_seconds), "stop the live version"));
    live_stopped = true;
  }
  auto fail = [&](Error cause) -> Status {
    log_container_output(host, back_name);
    if (auto stopped = host.check(commands::stop(back_name, 10), "stop"); !stopped) {
      log::warning("{}", stopped.error().message());
    }
    report.outcome = Outcome::RolledBack;
    report.detail = cause.message();
    if (live && live_stopped) {
      if (auto s = host.check(commands::start(live->name), "restart the live version"); !s) {
        report.outcome = Outcome::Failed;
        return deploy_error(cause.message() + "; " + s.error().message());
      }
    }
    if (live) {
      if (auto r = wait_ready(host, release, live->name, "", kRestoreTimeout); !r) {
        report.outcome = Outcome::Failed;
        return deploy_error(cause.message() + "; " + r.error().message());
      }
    }
    return cause;
  };
  if (auto started = host.check(commands::start(back_name), "start"); !started) {
    return fail(std::move(started).error());
  }
  const std::string instance = release.strategy == Strategy::Overlap
                                   ? release_name(release.name, back.release)
                                   : std::string();
  if (auto ready = wait_ready(host, release, back_name, instance, release.startup_timeout); !ready) {
    return fail(std::move(ready).error());
  }
  if (live && !live_stopped) {
    if (auto s = host.check(commands::stop(live->name, release.stop_grace_seconds), "stop"); !s) {
      log::warning("{}", s.error().message());
    }
  }
  if (auto named = settle_names(host, release, *state, back_name); !named) {
    log::warning("{}", named.error().message());
  }
  report.outcome = Outcome::Deployed;
  report.detail = fmt::format("r{} live again ({})", back.release, back.image);
  return {};
}

Status undeploy(remote::Runner& runner, std::string_view name) {
  Clock clock;
  Host host(runner, clock);
  auto state = host.state(name);
  if (!state) return std::move(state).error();
  if (state->containers.empty()) {
    log::info("{}: nothing of {} to remove", host.where(), name);
    return {};
  }
  for (const auto& c : state->containers) {
    SSF_TRY(host.check(commands::remove(c.name), "remove"));
    log::info("{}: removed {}", host.where(), c.name);
  }
  return {};
}

Result<HostStatus> status(remote::Runner& runner, const Release& release) {
  Clock clock;
  Host host(runner, clock);
  auto state = host.state(release.name);
  if (!state) return std::move(state).error();
  HostStatus out;
  out.state = *state;
  const Container* live = state->live(release.name);
  if (!live) {
    out.health = "no version running";
    return out;
  }
  out.live = live->name;
  if (auto digest = host.run(commands::image_digest(live->image), "image"); digest) {
    out.digest = std::string(trim(digest->out));
  }
  auto answer = probe(runner, release.health_host, release.port, "/health/ready", kProbeTimeout,
                      release.tls);
  if (!answer) {
    out.health = "unreachable: " + answer.error().message();
  } else if (answer->status == 200) {
    out.health = "ready";
  } else {
    out.health = fmt::format("not ready ({})", answer->status);
  }
  return out;
}

Result<std::string> logs(remote::Runner& runner, std::string_view name, int lines) {
  Clock clock;
  Host host(runner, clock);
  auto state = host.state(name);
  if (!state) return std::move(state).error();
  const Container* live = state->live(name);
  if (!live && state->containers.empty()) {
    return deploy_error(fmt::format("{}: {} is not deployed here", host.where(), name));
  }
  const std::string container = live ? live->name : state->containers.back().name;
  auto out = host.run(commands::logs(container, lines), "logs");
  if (!out) return std::move(out).error();
  return out->out + out->err;
}

}  // namespace ssf::deploy
