// run (upstream's ssf/run.py): check accelerators, prepare the venv, start the replicas behind the
// dispatcher and serve HTTP until SIGINT/SIGTERM, then drain. The result is upstream's (§5.1):
// 0, or the code of the failures recorded while serving (32 when they differ).

#include <atomic>

#include "apphost/apphost.h"
#include "commands.h"
#include "dispatch/dispatch.h"
#include "runtime/runtime.h"

namespace ssf::cli {
namespace {

dispatch::Settings dispatch_settings(const Context& context) {
  const auto& o = context.options;
  dispatch::Settings s;
  s.application_id = context.config.application.id;
  s.replicas = o.replicate_application;
  s.max_batch_size = context.config.application.max_batch_size;
  s.batching_timeout = std::chrono::duration<double>(o.batching_timeout);
  s.max_allowed_restarts = o.max_allowed_restarts;
  s.watchdog_ready_period = std::chrono::seconds(o.watchdog_ready_period);
  s.watchdog_request_threshold = o.watchdog_request_threshold;
  s.watchdog_request_average = o.watchdog_request_average;
  s.stop_on_error = o.stop_on_error;
  s.max_queue = static_cast<size_t>(std::max(1, o.max_queue));
  return s;
}

}  // namespace

Status run_run(Context& context) {
  const config::Config& config = context.config;
  const config::Options& options = context.options;
  if (config.self_package) return {};
  // -rs serves from more I/O threads of one process, so it needs no more application instances.
  SSF_TRY(apphost::check_ipus(config, options.replicate_application));
  SSF_TRY(apphost::ensure_venv(config));
  auto shim = apphost::find_shim_dir();
  if (!shim) return std::move(shim).error();
  auto settings = runtime::ServerSettings::from_options(options);
  if (!settings) return std::move(settings).error();

  apphost::WorkerSpec spec;
  spec.mode = apphost::WorkerSpec::Mode::Run;
  spec.config = &config;
  spec.options = &options;
  spec.python = apphost::python_for(config);
  spec.shim_dir = *shim;
  if (options.in_process) {
    if (!ends_with(config.application.module.string(), ".so")) {
      return Error(ResultCode::ArgumentError,
                   "--in-process: only native applications (application.module: <file>.so) can "
                   "run in the server's process; " +
                       config.application.module.string() + " is not one");
    }
    spec.in_process = true;
    log::warning("Replicas run in the server's process (--in-process): an application crash "
                 "stops the server");
  }

  std::atomic<runtime::Server*> server_ptr{nullptr};
  dispatch::Dispatcher dispatcher(
      dispatch_settings(context),
      [spec](int replica, apphost::WorkerEvents events) {
        apphost::WorkerSpec s = spec;
        s.replica = replica;
        return apphost::Worker::start(s, std::move(events));
      },
      [&](int code) {
        log::info("Recorded error {}", code);
        if (options.stop_on_error) {
          log::info("> Stopping server");
          if (auto* server = server_ptr.load()) server->stop();
        }
      });

  auto server = runtime::Server::create(config, *settings, dispatcher);
  if (!server) return std::move(server).error();
  server_ptr = server->get();
  log::info("> Address {}:{}", settings->host, (*server)->bound_port());
  // One line that tools (and the tests) can wait for: the ephemeral port is known only here.
  log::info("Listening on {}://{}:{}", settings->tls ? "https" : "http", settings->host,
            (*server)->bound_port());
  dispatcher.start();
  (*server)->run();
  server_ptr = nullptr;
  server->reset();
  dispatcher.stop(std::chrono::seconds(30));

  int code = dispatcher.exit_code();
  if (code != 0) {
    return Error(static_cast<ResultCode>(code),
                 fmt::format("Application {} reported errors while serving ({})",
                             config.application.id, code));
  }
  return {};
}

}  // namespace ssf::cli
