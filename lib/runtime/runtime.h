#pragma once
// runtime: the HTTP server in front of the dispatcher (ssf-behaviour.md §3, §5.2, §5.9). The only
// header of this module that others include.
//
// Routes, as upstream's FastAPI server:
//   GET  /                      {"message":"OK"}
//   GET  /health/startup        200 once serving
//   GET  /health/ready          200, or 503 when no replica is ready or the server is stopping
//   GET  /health/live           200, or 503 when the dispatcher gave up
//   GET  <prometheus endpoint>  Prometheus text format 0.0.4 (unless disabled or on its own port)
//   POST /v<version>/<id>       one per config endpoint: decode, dispatch, encode
//   GET  /openapi.json          the OpenAPI document of every route (types/openapi)
//   GET  /docs                  a page to read and try every endpoint, served from the binary
// With --key (ssf-behaviour.md §5.7): endpoints need the key (query, header or cookie `api_key`),
//   else 403; GET /login sets the key as a cookie and GET /logout removes it (307 to /).
// With --enable-session-authentication: endpoints need a live session (cookie `session_key`),
//   else 403; GET /session_login (HTTP Basic, checked by the module's authenticate_user),
//   GET /session_logout, GET /session_status. Root, health, docs and metrics stay open.
// With --enable-cors-middleware: Starlette's CORSMiddleware (preflights, allowed-origin echo).
// With --enable-ssl: TLS 1.2+ only, the certificate and key loaded and checked by create().
// Unknown paths answer 404 {"detail":"Not Found"}, known paths with another method 405, as
// Starlette does; every response carries `metrics-request-latency: <seconds>`.
//
// Connections are HTTP/1.1 with keep-alive and pipelining (answers in request order), every read
// has a deadline, and bodies are bounded, so that a slow or malformed client only ever holds up
// itself.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/core.h"
#include "dispatch/dispatch.h"

namespace ssf::runtime {

// Session authentication's user check: upstream's authenticate_user(username, password). `done`
// gets the user id to log in as, nullopt to refuse, or an error when the check itself failed
// (500); it may be called on any thread, inside the call too. apphost::UserCheck is the real
// one; tests hand down their own.
using UserCheckDone = std::function<void(Result<std::optional<std::string>>)>;
using UserCheck =
    std::function<void(std::string username, std::string password, UserCheckDone done)>;

// Starlette's CORSMiddleware settings (upstream's --cors-* options, lists comma-split).
struct CorsSettings {
  bool enabled = false;  // --enable-cors-middleware
  std::string allow_origin_regex = R"(http.*://(?:localhost|127\.0\.0\.1)(?::\d+)?)";
  bool allow_credentials = true;  // upstream passes a string: any non-empty one is true
  std::vector<std::string> allow_methods = {"*"};
  std::vector<std::string> allow_headers = {"*"};
  std::vector<std::string> expose_headers;
  int max_age = 600;
};

struct ServerSettings {
  std::string host = "0.0.0.0";  // --host
  uint16_t port = 8100;          // --port; 0 picks a free port (see Server::bound_port)
  // Threads running the one io_context (-rs, upstream's uvicorn workers). Connections are spread
  // over them; each connection stays on one strand.
  int io_threads = 1;
  // Larger bodies are refused with 413 before they are read (--max-request-size, in MiB).
  // Upstream has no limit.
  size_t max_request_size = 100 * 1024 * 1024;
  // A request still waiting for a replica after this long is answered 504 (--request-timeout).
  // Upstream waits forever.
  std::chrono::milliseconds request_timeout = std::chrono::minutes(5);
  // From the first byte of a request to the end of its header; a client that trickles its header
  // (slowloris) is dropped after this.
  std::chrono::milliseconds header_timeout = std::chrono::seconds(30);
  // From the end of the header to the end of the body.
  std::chrono::milliseconds body_timeout = std::chrono::minutes(2);
  // An idle keep-alive connection is closed after this; also the deadline of each response write.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(60);
  // On stop(): how long in-flight requests may take to finish before the replicas are stopped.
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(30);

  bool prometheus_disabled = false;              // --prometheus-disabled: no metrics, path → 404
  std::string prometheus_endpoint = "/metrics";  // --prometheus-endpoint, leading '/' ensured
  // --prometheus-buckets (sorted); +Inf is added where upstream adds it.
  std::vector<double> prometheus_buckets = {0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
                                            0.75, 1,     1.5,  2,     2.5, 3,    3.5,
                                            4,    4.5,   5,    7.5,   10,  30,   60};
  // --prometheus-port: when set, metrics are served on their own listener there (on any path,
  // as prometheus_client's server does) and not on the main port. It binds `host` (upstream's
  // binds every interface). 0 picks a free port.
  std::optional<uint16_t> prometheus_port;

  // --reuse-port: the main port is bound with SO_REUSEPORT and listens only once the dispatcher
  // is ready (before that, nothing answers on it, /health/* included), so that a new version can
  // start beside the one serving and take connections only when it can answer them. gc-ssf's
  // own; used by deploy.
  bool reuse_port = false;
  // --instance-id: sent as `x-ssf-instance` on every response, so that a client (deploy's
  // health gate) knows which of the servers sharing a port answered. Empty: no header.
  std::string instance_id;

  // run() stops the server on SIGINT/SIGTERM. Off in tests and when the caller owns signals.
  bool handle_signals = true;

  // --key: endpoints need this key. Empty: no API key (upstream ignores an empty --key too).
  Secret api_key;
  // --enable-session-authentication, --session-authentication-timeout (seconds: the cookie's
  // Max-Age and the server-side lifetime of a session).
  bool session_authentication = false;
  std::chrono::seconds session_timeout{10080};
  // --session-authentication-module-file, as given. Relative paths are the working directory's;
  // upstream's default (ssf/default_authentication.py), when that file does not exist, is the
  // copy in gc-ssf's Python shim.
  std::filesystem::path session_module_file = "ssf/default_authentication.py";
  // The user check; empty: create() starts apphost's Python one on session_module_file.
  UserCheck user_check;

  CorsSettings cors;

  // --enable-ssl with --ssl-certificate-file (PEM, the chain) and --ssl-key-file (PEM).
  bool tls = false;
  std::filesystem::path tls_certificate_file = "ssl-cert.pem";
  std::filesystem::path tls_key_file = "ssl-key.pem";

  // The settings the options ask for. Errors: ArgumentError (1) for a --port or --prometheus-port
  // that is not a port number, a --max-request-size or --request-timeout that is not positive, or
  // a --session-authentication-timeout below 1.
  static Result<ServerSettings> from_options(const config::Options& options);
};

// The server. Thread safety: bound_port(), metrics_port() and stop() may be called from any thread
// at any time; run() from one thread, once.
class Server {
 public:
  // Binds the listener(s) (SO_REUSEADDR) and prepares the routes of `config`; serves nothing until
  // run(). `config` and `dispatcher` must outlive the server. The dispatcher is expected to be
  // started by the caller; the server stops it (stop()).
  // Errors: UvicornError (128), e.g. "cannot listen on 0.0.0.0:8100: Address already in use",
  // or a TLS certificate or key that cannot be read or does not match ("--ssl-key-file
  // ssl-key.pem: cannot read: No such file or directory"); ArgumentError (1) for a CORS origin
  // regex that does not compile; ApplicationModuleError (35) for a session authentication module
  // that cannot be loaded or has no authenticate_user.
  static Result<std::unique_ptr<Server>> create(const config::Config& config,
                                                ServerSettings settings,
                                                dispatch::Dispatcher& dispatcher);
  ~Server();  // stops and joins everything still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port the main listener is bound to (the ephemeral one when settings.port was 0).
  uint16_t bound_port() const;
  // The port of the separate metrics listener; 0 when there is none.
  uint16_t metrics_port() const;

  // Serves until stop() (or SIGINT/SIGTERM with handle_signals) has drained: blocks the calling
  // thread, which is one of the io_threads.
  void run();

  // Graceful stop, in this order: the ready probe answers 503 and new endpoint requests get 503
  // {"detail":"Service unavailable"}; the listeners close; in-flight requests finish
  // (dispatcher.stop(shutdown_grace), which also stops the replicas); idle keep-alive connections
  // close; then run() returns. Returns at once; idempotent; may be called from any thread, before
  // run() too (run() then returns as soon as the stop has finished).
  void stop();

 private:
  struct State;
  explicit Server(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ssf::runtime
