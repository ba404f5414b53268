#pragma once
// Internal to runtime: what handling a request means, apart from the I/O that carries it.
//
// A connection (session.cpp) turns each request it reads into an Exchange and hands it to the
// Pipeline with a Responder. The pipeline is a chain of middlewares ending in the Router; each
// middleware may answer by itself or call `next`, and may wrap the Responder to see the answer
// on its way out. Handling may finish later, on another thread (an endpoint waits for a replica):
// whoever completes posts back to `exchange->executor`, the connection's strand, so that every
// Responder runs there.

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssf::runtime {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using Clock = std::chrono::steady_clock;

struct Exchange {
  HttpRequest request;
  std::string path;                       // the target's path, percent-decoded, without the query
  std::string query;                      // the target after '?', as sent
  Clock::time_point start;                // when the header had been read
  boost::asio::any_io_executor executor;  // the connection's strand
  bool secure = false;                    // the connection is TLS (redirects, cookies)

  // Set by the Router: the route that matched, for metrics (Starlette's route name); empty when
  // none did.
  std::string route;
  // An answer decided by the connection before the request reached the pipeline (413): the
  // Router gives it, so that it still passes every middleware.
  std::optional<HttpResponse> early_response;
  // Set by session authentication (step 3), forwarded to the application in the request meta.
  std::optional<std::string> user_id;
};

// Delivers the answer to an exchange: called exactly once, on the exchange's executor.
using Responder = std::function<void(HttpResponse)>;

// The end of the chain: answers every request (404 and 405 included).
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void handle(std::shared_ptr<Exchange> exchange, Responder respond) = 0;
};

class Middleware {
 public:
  using Next = std::function<void(std::shared_ptr<Exchange>, Responder)>;
  virtual ~Middleware() = default;
  // Answers through `respond`, or passes on with next(exchange, respond) (possibly wrapping
  // `respond`). Runs on the exchange's executor.
  virtual void handle(std::shared_ptr<Exchange> exchange, Responder respond, const Next& next) = 0;
};

// Middlewares in order, outermost first, then the handler. Immutable once built, so connections
// on any thread share one.
class Pipeline {
 public:
  Pipeline(std::vector<std::unique_ptr<Middleware>> middlewares, std::unique_ptr<Handler> handler);
  void handle(std::shared_ptr<Exchange> exchange, Responder respond) const;

 private:
  void call(size_t index, std::shared_ptr<Exchange> exchange, Responder respond) const;
  std::vector<std::unique_ptr<Middleware>> middlewares_;
  std::unique_ptr<Handler> handler_;
};

// Adds `metrics-request-latency: <seconds>` (upstream's RequestLatencyProviderMiddleware) to
// every response, metrics on or off.
std::unique_ptr<Middleware> make_latency_middleware();

// A response with a JSON body (compact, as FastAPI's JSONResponse), keep-alive as the request.
HttpResponse json_response(const HttpRequest& request, http::status status, std::string body);
// {"detail":"<detail>"}: FastAPI's HTTPException body.
HttpResponse detail_response(const HttpRequest& request, http::status status,
                             std::string_view detail);

// Beast 1.74 speaks boost::string_view; the rest of gc-ssf std::string_view.
inline std::string_view to_std(boost::beast::string_view text) {
  return {text.data(), text.size()};
}
inline boost::beast::string_view to_beast(std::string_view text) {
  return {text.data(), text.size()};
}

// Python's repr() of a float ("0.0012", "1e-05", "3.0"): upstream writes latencies with str().
std::string python_float(double value);
// prometheus_client's floatToGoString: python_float, but "+Inf", and exponents sooner.
std::string go_float(double value);

}  // namespace ssf::runtime
