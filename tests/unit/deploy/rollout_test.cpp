// The rollout state machine against a scripted runner: which commands run, in which order, and
// what is put back when a step fails.

#include <catch2/catch.hpp>
#include <mutex>

#include "fake_runner.h"

using namespace ssf;
using namespace ssf::deploy;
using namespace ssf::deploy::testing;

namespace {

Release sample(Strategy strategy = Strategy::Overlap) {
  Release r;
  r.name = "app";
  r.image = "reg/app:v2";
  r.ssf_options = "--port 8100";
  r.strategy = strategy;
  r.startup_timeout = std::chrono::seconds(10);
  return r;
}

const std::string kLiveR1 = "app\tapp\t1\trunning\treg/app:v1\n";

bool before(const std::vector<std::string>& lines, std::string_view a, std::string_view b) {
  size_t ia = lines.size(), ib = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (ia == lines.size() && lines[i].find(a) != std::string::npos) ia = i;
    if (ib == lines.size() && lines[i].find(b) != std::string::npos) ib = i;
  }
  return ia < ib && ib < lines.size();
}

}  // namespace

TEST_CASE("overlap rollout: pull, start beside, gate on the new instance, retire, rename") {
  FakeRunner runner;
  runner.on("docker ps", kLiveR1);
  runner.on("docker inspect", "running\t0\t0\n");
  // The old version answers first; the new one once its port is shared.
  runner.http = [](size_t n) {
    return Result<std::string>(n < 3 ? ready_from("app-r1") : ready_from("app-r2"));
  };
  auto now = std::chrono::steady_clock::now();
  HostReport report;
  Status done = roll_out(runner, sample(), report, instant_clock(now));
  REQUIRE(done.ok());
  CHECK(report.outcome == HostReport::Outcome::Deployed);
  auto lines = runner.lines();
  CHECK(runner.ran("docker pull reg/app:v2"));
  CHECK(before(lines, "docker pull", "docker run"));
  CHECK(before(lines, "docker run", "docker stop --time 30 app"));
  CHECK(before(lines, "docker stop --time 30 app", "docker rename app app-r1"));
  CHECK(before(lines, "docker rename app app-r1", "docker rename app-r2 app"));
  CHECK(runner.exchanges.size() == 3);
  CHECK(runner.exchanges[0] == "127.0.0.1:8100 GET /health/ready HTTP/1.0");
  CHECK_FALSE(runner.ran("docker rm"));
}

TEST_CASE("replace rollout stops the old version before starting the new one") {
  FakeRunner runner;
  runner.on("docker ps", kLiveR1);
  runner.on("docker inspect", "running\t0\t0\n");
  auto now = std::chrono::steady_clock::now();
  HostReport report;
  REQUIRE(roll_out(runner, sample(Strategy::Replace), report, instant_clock(now)).ok());
  auto lines = runner.lines();
  CHECK(before(lines, "docker stop --time 30 app", "docker run"));
  CHECK(before(lines, "docker run", "docker rename app app-r1"));
}

TEST_CASE("a version that exits at startup is removed and the old one checked: 177") {
  FakeRunner runner;
  runner.on("docker ps", kLiveR1);
  runner.on("docker inspect --format '{{.State.Status}}\t{{.State.ExitCode}}\t{{.RestartCount}}' app-r2",
            "exited\t35\t0\n");
  runner.on("docker inspect", "running\t0\t0\n");
  runner.on("docker logs", "Could not create the application\n", 0, "module missing\n");
  auto now = std::chrono::steady_clock::now();
  HostReport report;
  Status done = roll_out(runner, sample(), report, instant_clock(now));
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code() == ResultCode::GcoreDeploymentError);
  CHECK(done.error().message() == "edge1: app-r2 exited with code 35 before it was ready");
  CHECK(report.outcome == HostReport::Outcome::RolledBack);
  CHECK(runner.ran("docker logs --tail 30 app-r2"));
  CHECK(runner.ran("docker rm -f app-r2"));
  CHECK_FALSE(runner.ran("docker stop"));
  CHECK_FALSE(runner.ran("docker rename"));
}

TEST_CASE("replace rollout: a failed new version puts the old one back and waits for it") {
  FakeRunner runner;
  runner.on("docker ps", kLiveR1);
  runner.on("docker inspect", "running\t0\t0\n");
  runner.http = [](size_t) {
    return Result<std::string>(std::string("HTTP/1.1 503 Service Unavailable\r\n\r\n"));
  };
  auto now = std::chrono::steady_clock::now();
  HostReport report;
  Status done = roll_out(runner, sample(Strategy::Replace), report, instant_clock(now));
  REQUIRE_FALSE(done.ok());
  // Not ready in time; and the old one, restarted, does not answer either.
  CHECK(done.error().message().find("app-r2 was not ready within 10 s (last answer: HTTP 503)") !=
        std::string::npos);
  CHECK(runner.ran("docker start app"));
  CHECK(report.outcome == HostReport::Outcome::Failed);
}

TEST_CASE("a failed login changes nothing and says so") {
  FakeRunner runner;
  runner.on("docker ps", kLiveR1);
  runner.on("sh -c 'd=$(mktemp -d)", "", 90, "docker login to reg failed\n");
  Release r = sample();
  r.login = RegistryLogin{"reg", "ci", Secret("wrong")};
  HostReport report;
  Status done = roll_out(runner, r, report);
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code() == ResultCode::GcoreDeploymentError);
  CHECK(done.error().message().rfind("edge1: docker login to reg as ci failed", 0) == 0);
  CHECK(report.outcome == HostReport::Outcome::RolledBack);
  CHECK_FALSE(runner.ran("docker run"));
  CHECK(runner.calls[1].stdin == "wrong");
}

TEST_CASE("the first deploy on a host has nothing to retire; old releases are pruned to keep") {
  FakeRunner runner;
  runner.on("docker ps",
            "app\tapp\t5\trunning\treg/app:v5\napp-r1\tapp\t1\texited\treg/app:v1\n"
            "app-r2\tapp\t2\texited\treg/app:v2\napp-r3\tapp\t3\texited\treg/app:v3\n"
            "app-r4\tapp\t4\texited\treg/app:v4\n");
  runner.on("docker inspect", "running\t0\t0\n");
  runner.http = [](size_t) { return Result<std::string>(ready_from("app-r6")); };
  HostReport report;
  auto now = std::chrono::steady_clock::now();
  REQUIRE(roll_out(runner, sample(), report, instant_clock(now)).ok());
  // Retired now: r1..r4 and r5; keep 3 → r1 and r2 go.
  CHECK(runner.ran("docker rm -f app-r1"));
  CHECK(runner.ran("docker rm -f app-r2"));
  CHECK_FALSE(runner.ran("docker rm -f app-r3"));
  CHECK(runner.ran("docker rename app app-r5"));
  CHECK(runner.ran("docker rename app-r6 app"));

  FakeRunner fresh;
  fresh.on("docker inspect", "running\t0\t0\n");
  fresh.http = [](size_t) { return Result<std::string>(ready_from("app-r1")); };
  HostReport first;
  REQUIRE(roll_out(fresh, sample(), first, instant_clock(now)).ok());
  // Nothing is called "app": release 1 starts under that name, and nothing is renamed.
  CHECK(fresh.ran("sh -c '. /dev/stdin && exec \"$@\"' sh docker run -d --network host --name app "));
  CHECK_FALSE(fresh.ran("docker rename"));
  CHECK_FALSE(fresh.ran("docker stop"));
}

TEST_CASE("roll_back starts the newest retired version, gates it, retires the live one") {
  FakeRunner runner;
  runner.on("docker ps",
            "app\tapp\t3\trunning\treg/app:v3\napp-r2\tapp\t2\texited\treg/app:v2\n"
            "app-r1\tapp\t1\texited\treg/app:v1\n");
  runner.on("docker inspect", "running\t0\t0\n");
  runner.http = [](size_t) { return Result<std::string>(ready_from("app-r2")); };
  HostReport report;
  auto now = std::chrono::steady_clock::now();
  REQUIRE(roll_back(runner, sample(), report, instant_clock(now)).ok());
  auto lines = runner.lines();
  CHECK(before(lines, "docker start app-r2", "docker stop --time 30 app"));
  CHECK(before(lines, "docker stop --time 30 app", "docker rename app app-r3"));
  CHECK(runner.ran("docker rename app-r2 app"));
  CHECK(report.detail == "r2 live again (reg/app:v2)");

  FakeRunner nothing;
  nothing.on("docker ps", kLiveR1);
  HostReport none;
  Status refused = roll_back(nothing, sample(), none);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message() == "edge1: no earlier version of app to roll back to");
}

TEST_CASE("for_fleet runs batches and stops after the first failing one") {
  std::vector<std::string> hosts = {"h1", "h2", "h3", "h4", "h5"};
  std::vector<HostReport> reports;
  std::vector<std::string> connected;
  std::mutex m;
  auto connect = [&](const std::string& host) -> Result<std::unique_ptr<remote::Runner>> {
    {
      std::lock_guard lock(m);
      connected.push_back(host);
    }
    if (host == "h3") return Error(ResultCode::SshError, "cannot connect to h3: timeout");
    return std::unique_ptr<remote::Runner>(std::make_unique<FakeRunner>());
  };
  auto action = [](remote::Runner&, HostReport& r) {
    r.outcome = HostReport::Outcome::Deployed;
    return Status();
  };
  Status done = for_fleet(hosts, 2, connect, action, reports);
  REQUIRE_FALSE(done.ok());
  CHECK(done.error().code() == ResultCode::GcoreDeploymentError);
  CHECK(connected.size() == 4);  // h5 never tried
  CHECK(reports[0].outcome == HostReport::Outcome::Deployed);
  CHECK(reports[2].outcome == HostReport::Outcome::Failed);
  CHECK(reports[2].detail == "cannot connect to h3: timeout");
  CHECK(reports[3].outcome == HostReport::Outcome::Deployed);
  CHECK(reports[4].outcome == HostReport::Outcome::NotAttempted);
}

TEST_CASE("the gate probes every poll and reads the container's state once a second") {
  FakeRunner runner;
  runner.on("docker inspect", "running\t0\t0\n");
  // Ready at the 30th probe: 3 s of polls at 100 ms.
  runner.http = [](size_t n) {
    return Result<std::string>(n < 30 ? std::string("HTTP/1.1 503 Service Unavailable\r\n\r\n")
                                      : ready_from("app-r1"));
  };
  HostReport report;
  auto now = std::chrono::steady_clock::now();
  REQUIRE(roll_out(runner, sample(), report, instant_clock(now)).ok());
  CHECK(runner.exchanges.size() == 30);
  size_t inspections = 0;
  for (const auto& line : runner.lines()) inspections += line.find("docker inspect") == 0;
  CHECK(inspections >= 3);
  CHECK(inspections <= 4);
}

TEST_CASE("a release served over TLS is gated over TLS") {
  FakeRunner runner;
  runner.on("docker inspect", "running\t0\t0\n");
  runner.http = [](size_t) { return Result<std::string>(ready_from("app-r1")); };
  Release r = sample();
  r.tls = true;
  HostReport report;
  auto now = std::chrono::steady_clock::now();
  REQUIRE(roll_out(runner, r, report, instant_clock(now)).ok());
  REQUIRE_FALSE(runner.exchanges.empty());
  CHECK(runner.exchanges[0] == "tls 127.0.0.1:8100 GET /health/ready HTTP/1.0");
}
