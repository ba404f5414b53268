// test (upstream's ssf/test.py, ssf-behaviour.md §9): start the packaged image in a container
// (unless --test-skip-start), run the built-in subtests and the application's own against it,
// report "OK n KO m", then show the container's logs and remove it (unless --test-skip-stop).
// Any KO, or no OK at all, is RESULT_APPLICATION_TEST_ERROR (33).
//
// Fixed from upstream (§11): the stopped-container check uses the container's name (upstream
// checked the application id, so a --deploy-name container was missed); with --test-skip-start
// the server need not run in a container at all (upstream's readiness wait required one, and
// its cleanup ran `docker rm -f` whatever it found); the API key reaches the container through
// docker's environment rather than its command line.

#include "apphost/apphost.h"
#include "commands.h"
#include "test_container.h"
#include "test_runner.h"

namespace ssf::cli {

namespace {

// The address to test: the server's bind address, or loopback when it binds every interface.
std::string server_url(const config::Options& options) {
  std::string host = options.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, options.port);
}

Status start_container(const Context& context, const std::string& name, const std::string& image,
                       const Secret& key) {
  log::info("> Start {} {}", name, image);
  switch (container::state(name)) {
    case container::State::Running:
      return Error(
          ResultCode::DockerStatusError,
          fmt::format("{} exists and is running - use 'docker rm -f {}' first", name, name));
    case container::State::Stopped:
      return Error(ResultCode::DockerStatusError,
                   fmt::format("{} exists and is stopped - use 'docker rm {}' first", name, name));
    case container::State::Absent:
    case container::State::Unknown: break;  // `docker run` says what is wrong, if anything
  }
  const auto& options = context.options;
  std::string ssf_options =
      fmt::format("-p {} --key {} --api {}", options.port, key.reveal(), options.api);
  log::info("SSF_OPTIONS=-p {} --key {} --api {}", options.port, key, options.api);
  int ipus = context.config.application.ipus * options.replicate_application *
             options.fastapi_replicate_server;
  return container::start(name, image, ssf_options, ipus);
}

// Logs and removes the container, as upstream does after its tests, even when the tests could
// not run. With --test-skip-start the container (if any) is somebody else's, started under the
// same name: upstream removes it too, so that `test` ends what a scripted start began.
Status finish_container(const Context& context, const std::string& name, bool started) {
  if (!started) {
    auto state = container::state(name);
    if (state == container::State::Absent || state == container::State::Unknown) return {};
  }
  log::info("> Docker logs {}", name);
  container::log_output(name);
  if (context.options.test_skip_stop) {
    log::info("> Skipping stop");
    return {};
  }
  log::info("> Remove {}", name);
  return container::remove(name);
}

}  // namespace

Status run_test(Context& context) {
  const config::Config& config = context.config;
  const config::Options& options = context.options;
  if (config.self_package) return {};
  SSF_TRY(apphost::check_ipus(
      config, options.replicate_application * options.fastapi_replicate_server, "test"));
  if (options.api != "fastapi") {
    return Error(
        ResultCode::UnmetRequirement,
        fmt::format("Missing or unsupported API {} - needs one of ['fastapi']", options.api));
  }
  // Before a container exists, so that an install failure leaves nothing running.
  log::info("Checking application venv");
  SSF_TRY(apphost::ensure_venv(config));

  const std::string name = options.deploy_name.value_or(config.application.id);
  const std::string image = options.package_tag.value_or(config.application.package.tag);
  TestTarget target;
  target.url = server_url(options);
  target.key = Secret(options.key.value_or("test_key"));
  bool started = false;
  if (options.test_skip_start) {
    log::info("> Skipping start");
    // A server somebody else started: without --key we cannot know its key, nor whether it has
    // one; its /login answers that.
    if (!options.key) target.security = TestTarget::Security::Probe;
  } else {
    SSF_TRY(start_container(context, name, image, target.key));
    started = true;
    target.container = name;
  }

  auto counts = run_checks(context, target);
  if (counts) log::info("OK {} KO {}", counts->ok, counts->ko);
  Status finished = finish_container(context, name, started);
  if (!counts) return std::move(counts).error();
  if (counts->ko > 0 || counts->ok == 0) {
    return Error(ResultCode::ApplicationTestError,
                 fmt::format("{} failed testing OK:{} KO:{}", name, counts->ok, counts->ko));
  }
  return finished;
}

}  // namespace ssf::cli
