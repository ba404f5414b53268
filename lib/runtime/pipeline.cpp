// The middleware chain, and the responses every part of it builds.

#include <utility>

#include "runtime/http.h"

namespace ssf::runtime {

Pipeline::Pipeline(std::vector<std::unique_ptr<Middleware>> middlewares,
                   std::unique_ptr<Handler> handler)
    : middlewares_(std::move(middlewares)), handler_(std::move(handler)) {}

void Pipeline::handle(std::shared_ptr<Exchange> exchange, Responder respond) const {
  call(0, std::move(exchange), std::move(respond));
}

void Pipeline::call(size_t index, std::shared_ptr<Exchange> exchange, Responder respond) const {
  if (index == middlewares_.size()) {
    handler_->handle(std::move(exchange), std::move(respond));
    return;
  }
  // `this` outlives every exchange: the server drains its connections before the pipeline goes.
  Middleware::Next next = [this, index](std::shared_ptr<Exchange> e, Responder r) {
    call(index + 1, std::move(e), std::move(r));
  };
  middlewares_[index]->handle(std::move(exchange), std::move(respond), next);
}

namespace {

class LatencyMiddleware final : public Middleware {
 public:
  void handle(std::shared_ptr<Exchange> exchange, Responder respond, const Next& next) override {
    auto start = exchange->start;
    next(std::move(exchange), [start, respond = std::move(respond)](HttpResponse response) {
      std::chrono::duration<double> elapsed = Clock::now() - start;
      response.set("metrics-request-latency", python_float(elapsed.count()));
      respond(std::move(response));
    });
  }
};

}  // namespace

std::unique_ptr<Middleware> make_latency_middleware() {
  return std::make_unique<LatencyMiddleware>();
}

HttpResponse json_response(const HttpRequest& request, http::status status, std::string body) {
  HttpResponse response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

HttpResponse detail_response(const HttpRequest& request, http::status status,
                             std::string_view detail) {
  // Every detail we send is a fixed ASCII text without quotes or backslashes.
  std::string body = "{\"detail\":\"";
  body.append(detail);
  body += "\"}";
  return json_response(request, status, std::move(body));
}

}  // namespace ssf::runtime
