// The server: settings, assembly of the pipeline, the io threads, and the drain on stop.

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <thread>

#include "apphost/apphost.h"
#include "runtime/auth.h"
#include "runtime/cors.h"
#include "runtime/listener.h"
#include "runtime/metrics.h"
#include "runtime/router.h"
#include "runtime/runtime.h"
#include "runtime/tls.h"
#include "types/types.h"

namespace ssf::runtime {

namespace asio = boost::asio;

namespace {

class InstanceMiddleware final : public Middleware {
 public:
  explicit InstanceMiddleware(std::string id) : id_(std::move(id)) {}
  void handle(std::shared_ptr<Exchange> exchange, Responder respond, const Next& next) override {
    next(std::move(exchange), [this, respond = std::move(respond)](HttpResponse response) {
      response.set("x-ssf-instance", id_);
      respond(std::move(response));
    });
  }

 private:
  const std::string id_;
};

// How often a --reuse-port server looks whether the application is ready to take connections.
constexpr auto kReadyPoll = std::chrono::milliseconds(20);
// --reuse-port: how long connections accepted before the listener closed may still bring their
// requests before endpoints answer 503.
constexpr auto kHandover = std::chrono::milliseconds(250);

}  // namespace

Result<ServerSettings> ServerSettings::from_options(const config::Options& options) {
  ServerSettings s;
  s.reuse_port = options.reuse_port;
  s.instance_id = options.instance_id.value_or("");
  s.host = options.host;
  if (options.port < 0 || options.port > 65535) {
    return Error(ResultCode::ArgumentError,
                 "--port: " + std::to_string(options.port) + " is not a port number");
  }
  s.port = static_cast<uint16_t>(options.port);
  s.io_threads = std::max(1, options.fastapi_replicate_server);
  if (options.max_request_size <= 0 || options.request_timeout <= 0) {
    return Error(ResultCode::ArgumentError,
                 "--max-request-size and --request-timeout must be positive");
  }
  s.max_request_size = static_cast<size_t>(options.max_request_size) * 1024 * 1024;
  s.request_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(options.request_timeout * 1000));
  s.prometheus_disabled = options.prometheus_disabled;
  s.prometheus_endpoint = options.prometheus_endpoint;
  if (!starts_with(s.prometheus_endpoint, "/")) s.prometheus_endpoint.insert(0, "/");
  // prometheus_client refuses unsorted buckets at startup; sorting them is the friendlier reading.
  s.prometheus_buckets = options.prometheus_buckets;
  std::sort(s.prometheus_buckets.begin(), s.prometheus_buckets.end());
  s.prometheus_buckets.erase(std::unique(s.prometheus_buckets.begin(), s.prometheus_buckets.end()),
                             s.prometheus_buckets.end());
  if (!options.prometheus_port.empty()) {
    const std::string& text = options.prometheus_port;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > 65535) {
      return Error(ResultCode::ArgumentError,
                   "--prometheus-port: '" + text + "' is not a port number");
    }
    s.prometheus_port = static_cast<uint16_t>(value);
  }

  if (options.key && !options.key->empty()) s.api_key = Secret(*options.key);
  s.session_authentication = options.enable_session_authentication;
  if (options.session_authentication_timeout < 1) {
    return Error(ResultCode::ArgumentError,
                 "--session-authentication-timeout: " +
                     std::to_string(options.session_authentication_timeout) +
                     " is not a positive number of seconds");
  }
  s.session_timeout = std::chrono::seconds(options.session_authentication_timeout);
  s.session_module_file = options.session_authentication_module_file;

  s.cors.enabled = options.enable_cors_middleware;
  s.cors.allow_origin_regex = options.cors_allow_origin_regex;
  s.cors.allow_credentials = !options.cors_allow_credentials.empty();
  s.cors.allow_methods = split(options.cors_allow_methods, ',');
  s.cors.allow_headers = split(options.cors_allow_headers, ',');
  s.cors.expose_headers = split(options.cors_expose_headers, ',');
  s.cors.max_age = options.cors_max_age;

  s.tls = options.enable_ssl;
  s.tls_certificate_file = options.ssl_certificate_file;
  s.tls_key_file = options.ssl_key_file;
  return s;
}

namespace {

// The Python user check of session authentication, on the module the options name.
Result<std::unique_ptr<apphost::UserCheck>> start_user_check(const config::Config& config,
                                                             const ServerSettings& settings) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path module = fs::absolute(settings.session_module_file, ec);
  if (settings.session_module_file == ServerSettings().session_module_file &&
      !fs::exists(module, ec)) {
    // Upstream's default names a file of its own source tree; ours is in the shim.
    auto shim = apphost::find_shim_dir();
    if (!shim) return std::move(shim).error();
    module = *shim / "ssf" / "default_authentication.py";
    log::warning(
        "Session authentication uses the default module, whose only user is a test user; give "
        "your users with --session-authentication-module-file");
  }
  apphost::UserCheckSpec spec;
  spec.module_file = module.lexically_normal();
  spec.python = apphost::python_for(config);
  spec.cwd = fs::current_path(ec);
  log::info("> Adding authentication layer ({})", spec.module_file.string());
  return apphost::UserCheck::start(std::move(spec));
}

}  // namespace

struct Server::State {
  State(const config::Config& c, ServerSettings s, dispatch::Dispatcher& d)
      : config(c), settings(std::move(s)), dispatcher(d), io(std::max(1, settings.io_threads)) {}

  // Constant after create().
  const config::Config& config;
  ServerSettings settings;
  dispatch::Dispatcher& dispatcher;
  ConnectionLimits limits;
  std::unique_ptr<Metrics> metrics;
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<Pipeline> metrics_pipeline;

  std::atomic<bool> stopping{false};  // the ready probe reads it
  SessionSet sessions;
  std::unique_ptr<Auth> auth;                        // null without --key or sessions
  std::unique_ptr<asio::ssl::context> tls;           // null without --enable-ssl

  // Declared after what sessions and listeners refer to: destroying the io_context destroys
  // the handlers still queued, and with them the last sessions.
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener;
  std::shared_ptr<Listener> metrics_listener;
  std::optional<asio::signal_set> signals;  // on a strand; made by run()
  std::optional<asio::steady_timer> ready_timer;  // --reuse-port: waits for the dispatcher
  // Destroyed before the io_context: checks still queued then post their (dropped) answers to it.
  std::unique_ptr<apphost::UserCheck> user_check;

  std::mutex stop_mutex;
  bool stop_requested = false;  // guarded by stop_mutex
  std::thread stopper;          // guarded by stop_mutex

  void wait_for_signal(Server& server);
  void listen_when_ready(Server& server);
  void stop_sequence();
};

Server::Server(std::unique_ptr<State> state) : state_(std::move(state)) {}

Server::~Server() {
  stop();
  std::lock_guard lock(state_->stop_mutex);
  if (state_->stopper.joinable()) state_->stopper.join();
}

Result<std::unique_ptr<Server>> Server::create(const config::Config& config,
                                               ServerSettings settings,
                                               dispatch::Dispatcher& dispatcher) {
  auto state = std::make_unique<State>(config, std::move(settings), dispatcher);
  State& s = *state;
  const ServerSettings& set = s.settings;
  s.limits = {set.max_request_size, set.header_timeout, set.body_timeout, set.idle_timeout};

  if (set.tls) {
    auto tls = make_tls_context(set.tls_certificate_file, set.tls_key_file);
    if (!tls) return std::move(tls).error();
    s.tls = std::move(*tls);
  }
  if (!set.api_key.empty()) log::info("> Adding API key security layer");
  else log::warning("API key has not been specified, endpoints are not secured with API key.");
  if (!set.session_authentication) {
    log::warning("Session authentication has not been specified, endpoints are not secured with "
                 "authentication.");
  }
  if (!set.api_key.empty() || set.session_authentication) {
    UserCheck check = set.user_check;
    if (set.session_authentication && !check) {
      auto started = start_user_check(config, set);
      if (!started) return std::move(started).error();
      s.user_check = std::move(*started);
      check = [user_check = s.user_check.get()](std::string user, std::string password,
                                                UserCheckDone done) {
        user_check->check(std::move(user), std::move(password), std::move(done));
      };
    }
    s.auth = std::make_unique<Auth>(set, std::move(check));
  }
  types::OpenApiOptions openapi;
  openapi.api_key = !set.api_key.empty();
  openapi.session_authentication = set.session_authentication;

  std::vector<std::unique_ptr<Middleware>> middlewares;
  if (!set.instance_id.empty()) {
    middlewares.push_back(std::make_unique<InstanceMiddleware>(set.instance_id));
  }
  middlewares.push_back(make_latency_middleware());
  const Metrics* main_metrics = nullptr;
  if (!set.prometheus_disabled) {
    s.metrics = std::make_unique<Metrics>(set.prometheus_buckets);
    // Upstream's excluded_handlers (server_metrics.py).
    middlewares.push_back(
        make_metrics_middleware(*s.metrics, {"/docs", "/openapi.json", set.prometheus_endpoint,
                                             "/health/startup", "/health/live", "/health/ready"}));
    if (set.prometheus_port) {
      s.metrics_pipeline = std::make_unique<Pipeline>(std::vector<std::unique_ptr<Middleware>>{},
                                                      make_metrics_handler(*s.metrics));
    } else {
      main_metrics = s.metrics.get();
    }
  }
  if (set.cors.enabled) {
    // Inside the latency and metrics middlewares, as upstream's (Starlette puts the middleware
    // added last outermost): preflights are measured and get the latency header too.
    log::info("CORS middleware is enabled, allow_origin_regex {}.", set.cors.allow_origin_regex);
    auto cors = make_cors_middleware(set.cors);
    if (!cors) return std::move(cors).error();
    middlewares.push_back(std::move(*cors));
  }
  s.pipeline = std::make_unique<Pipeline>(
      std::move(middlewares),
      make_router(config, set, dispatcher, main_metrics, s.stopping, s.auth.get(),
                  types::openapi_document(config, openapi)));

  auto listener = Listener::bind(s.io, set.host, set.port, *s.pipeline, s.limits, s.sessions,
                                 s.tls.get(), set.reuse_port);
  if (!listener) return std::move(listener).error();
  s.listener = std::move(*listener);
  if (s.metrics_pipeline) {
    auto metrics_listener = Listener::bind(s.io, set.host, *set.prometheus_port,
                                           *s.metrics_pipeline, s.limits, s.sessions);
    if (!metrics_listener) return std::move(metrics_listener).error();
    s.metrics_listener = std::move(*metrics_listener);
  }
  s.work.emplace(s.io.get_executor());
  log::debug("HTTP{} server listening on {}:{}", s.tls ? "S" : "", set.host, s.listener->port());
  return std::unique_ptr<Server>(new Server(std::move(state)));
}

uint16_t Server::bound_port() const { return state_->listener->port(); }

uint16_t Server::metrics_port() const {
  return state_->metrics_listener ? state_->metrics_listener->port() : 0;
}

void Server::run() {
  State& s = *state_;
  if (s.settings.handle_signals) {
    s.signals.emplace(asio::make_strand(s.io), SIGINT, SIGTERM);
    s.wait_for_signal(*this);
  }
  if (s.settings.reuse_port) {
    s.ready_timer.emplace(asio::make_strand(s.io));
    s.listen_when_ready(*this);
  } else {
    s.listener->start();
  }
  if (s.metrics_listener) s.metrics_listener->start();

  std::vector<std::thread> threads;
  for (int i = 1; i < s.settings.io_threads; ++i) threads.emplace_back([&s] { s.io.run(); });
  s.io.run();
  for (auto& thread : threads) thread.join();

  std::lock_guard lock(s.stop_mutex);
  if (s.stopper.joinable()) s.stopper.join();
}

void Server::State::listen_when_ready(Server& server) {
  ready_timer->expires_after(kReadyPoll);
  ready_timer->async_wait([this, &server](boost::system::error_code ec) {
    if (ec || stopping.load()) return;
    auto health = dispatcher.health();
    if (!health.live) {
      // Without the port this server can answer nobody, not even with a 503; the version it was
      // to replace still serves. Exiting (with the application's code) tells a deploy's health
      // gate at once, instead of after startup_timeout.
      log::error("The application did not start: this server never took port {}; stopping",
                 listener->port());
      server.stop();
      return;
    }
    if (!health.ready) {
      listen_when_ready(server);
      return;
    }
    if (auto listening = listener->listen(); !listening) {
      log::error("{}", listening.error().message());
      return;
    }
    log::info("Application ready: accepting connections on port {}", listener->port());
    listener->start();
  });
}

void Server::State::wait_for_signal(Server& server) {
  signals->async_wait([this, &server](boost::system::error_code ec, int signal) {
    if (ec) return;  // cancelled at the end of the stop
    if (stopping.load()) {
      log::warning("Signal {} while stopping: waiting for the requests in flight (at most {} s)",
                   signal, settings.shutdown_grace.count() / 1000.0);
    } else {
      log::info("Shutting down");
      server.stop();
    }
    wait_for_signal(server);
  });
}

void Server::stop() {
  State& s = *state_;
  std::lock_guard lock(s.stop_mutex);
  if (s.stop_requested) return;
  s.stop_requested = true;
  // With --reuse-port another server shares the port: the listener closes first (stop_sequence)
  // and requests on connections already accepted are still served for a moment, so that a
  // client never meets a 503 during a handover. Otherwise the ready probe answers 503 from now.
  if (!s.settings.reuse_port) s.stopping = true;
  // The drain blocks on the dispatcher, whose answers need the io threads: it gets a thread of
  // its own, so that stop() may be called from anywhere, a signal handler on an io thread too.
  s.stopper = std::thread([&s] { s.stop_sequence(); });
}

void Server::State::stop_sequence() {
  listener->close();
  if (settings.reuse_port) {
    std::this_thread::sleep_for(kHandover);
    stopping = true;
  }
  dispatcher.stop(settings.shutdown_grace);  // in-flight requests finish, then the replicas stop
  sessions.shutdown_all();                   // idle keep-alive connections close now
  if (metrics_listener) metrics_listener->close();  // scrapes work until the drain is over
  asio::post(io, [this] {
    if (ready_timer) {
      asio::dispatch(ready_timer->get_executor(), [this] { ready_timer->cancel(); });
    }
    if (signals) {
      asio::dispatch(signals->get_executor(), [this] {
        boost::system::error_code ignored;
        signals->cancel(ignored);
      });
    }
  });
  // run() returns once the last connection has closed.
  work.reset();
}

}  // namespace ssf::runtime
