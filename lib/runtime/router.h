#pragma once
// Internal to runtime: the handlers at the end of the pipeline.

#include <atomic>
#include <chrono>
#include <memory>

#include "config/config.h"
#include "dispatch/dispatch.h"
#include "runtime/http.h"
#include "runtime/metrics.h"
#include "runtime/runtime.h"

namespace ssf::runtime {

// The routes of the main port (runtime.h lists them). `metrics` is null when metrics are disabled
// or served on their own port. `stopping` turns the ready probe to 503. Everything passed by
// reference must outlive the handler.
std::unique_ptr<Handler> make_router(const config::Config& config, const ServerSettings& settings,
                                     dispatch::Dispatcher& dispatcher, const Metrics* metrics,
                                     const std::atomic<bool>& stopping);

// The separate metrics listener's only handler: the exposition on any path, for any method, as
// prometheus_client's start_http_server.
std::unique_ptr<Handler> make_metrics_handler(const Metrics& metrics);

// POST /v<version>/<id>: decode the inputs, queue them, encode the result (endpoint.cpp).
class EndpointHandler {
 public:
  // `config`, `endpoint`, `dispatcher` and `stopping` must outlive the handler and every request
  // it took. Once `stopping` is set, new requests are refused (503) without reaching the queue.
  EndpointHandler(const config::Config& config, const config::Endpoint& endpoint,
                  dispatch::Dispatcher& dispatcher, std::chrono::milliseconds request_timeout,
                  const std::atomic<bool>& stopping);
  void handle(std::shared_ptr<Exchange> exchange, Responder respond) const;

 private:
  HttpResponse answer(const HttpRequest& request, dispatch::Outcome outcome) const;

  const config::Config& config_;
  const config::Endpoint& endpoint_;
  dispatch::Dispatcher& dispatcher_;
  std::chrono::milliseconds request_timeout_;
  const std::atomic<bool>& stopping_;
  std::string meta_prefix_;  // the request meta without its closing brace
};

// The texts upstream answers with (FastAPI/Starlette, the generated endpoint) and ours.
inline constexpr std::string_view kProcessingError = "There was an error processing inputs";

}  // namespace ssf::runtime
