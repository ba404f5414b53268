// The routes of upstream's FastAPI server (server.py, server_health.py), matched as Starlette
// matches them: exact paths, 405 for a known path with another method (GET routes also answer
// HEAD), a 307 to the other spelling when only the path with(out) a trailing slash is known
// (redirect_slashes), else 404.

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/router.h"

namespace ssf::runtime {

namespace {

using RouteFn = std::function<void(std::shared_ptr<Exchange>, Responder)>;

struct Route {
  http::verb method;  // GET routes answer HEAD too
  std::string allow;  // the Allow header of a 405
  RouteFn handle;
};

HttpResponse message_response(const HttpRequest& request, http::status status,
                              std::string_view message) {
  std::string body = "{\"message\":\"";
  body.append(message);
  body += "\"}";
  return json_response(request, status, std::move(body));
}

class Router final : public Handler {
 public:
  Router(const config::Config& config, const ServerSettings& settings,
         dispatch::Dispatcher& dispatcher, const Metrics* metrics,
         const std::atomic<bool>& stopping, const Auth* auth, std::string openapi)
      : openapi_(std::move(openapi)) {
    get("/", [](auto exchange, auto respond) {
      respond(message_response(exchange->request, http::status::ok, "OK"));
    });
    get("/health/startup", [](auto exchange, auto respond) {
      respond(message_response(exchange->request, http::status::ok, "Startup check succeeded."));
    });
    get("/health/ready", [&dispatcher, &stopping](auto exchange, auto respond) {
      // Upstream: ready once the dispatcher has started and a replica is ready. A stopping
      // server reports not ready first, so that balancers stop sending before it drains.
      auto health = dispatcher.health();
      bool ready = health.started && health.ready && !stopping.load();
      respond(ready ? message_response(exchange->request, http::status::ok,
                                       "Readiness check succeeded.")
                    : message_response(exchange->request, http::status::service_unavailable,
                                       "Readiness check failed."));
    });
    get("/health/live", [&dispatcher](auto exchange, auto respond) {
      bool live = dispatcher.health().live;
      respond(
          live ? message_response(exchange->request, http::status::ok, "Liveness check succeeded.")
               : message_response(exchange->request, http::status::service_unavailable,
                                  "Liveness check failed."));
    });
    if (metrics) {
      get(settings.prometheus_endpoint, [metrics](auto exchange, auto respond) {
        HttpResponse response{http::status::ok, exchange->request.version()};
        response.set(http::field::content_type, to_beast(kMetricsContentType));
        response.body() = metrics->render();
        response.prepare_payload();
        respond(std::move(response));
      });
    }
    get("/openapi.json", [this](auto exchange, auto respond) {
      respond(json_response(exchange->request, http::status::ok, openapi_));
    });
    // The /docs page and its files, compiled into the binary (templates/docs).
    for (const DocsAsset& asset : docs_assets()) {
      get(std::string(asset.path), [&asset](auto exchange, auto respond) {
        HttpResponse response{http::status::ok, exchange->request.version()};
        response.set(http::field::content_type, to_beast(asset.content_type));
        // The page holds no secret, but the key typed into it must not land in a shared cache's
        // copy of a later version: revalidate each time.
        response.set(http::field::cache_control, "no-cache");
        response.set("x-content-type-options", "nosniff");
        // The page runs only its own files: no inline script, nothing from elsewhere.
        response.set("content-security-policy",
                     "default-src 'self'; img-src 'self' blob: data:; frame-ancestors 'none'");
        response.body() = std::string(asset.body);
        response.prepare_payload();
        respond(std::move(response));
      });
    }
    if (auth && auth->api_key_enabled()) {
      get("/login", [auth](auto exchange, auto respond) { auth->login(exchange, respond); });
      get("/logout", [auth](auto exchange, auto respond) { auth->logout(exchange, respond); });
    }
    if (auth && auth->sessions_enabled()) {
      get("/session_login",
          [auth](auto exchange, auto respond) { auth->session_login(exchange, respond); });
      get("/session_logout",
          [auth](auto exchange, auto respond) { auth->session_logout(exchange, respond); });
      get("/session_status",
          [auth](auto exchange, auto respond) { auth->session_status(exchange, respond); });
    }
    for (const auto& endpoint : config.endpoints) {
      auto handler = std::make_shared<EndpointHandler>(config, endpoint, dispatcher,
                                                       settings.request_timeout, stopping);
      add(endpoint.route(), http::verb::post, "POST", [handler, auth](auto exchange, auto respond) {
        // Upstream's endpoint dependencies run before its inputs are validated: 403 before 422.
        if (auth) {
          if (auto denied = auth->guard(*exchange)) return respond(std::move(*denied));
        }
        handler->handle(exchange, respond);
      });
    }
  }

  void handle(std::shared_ptr<Exchange> exchange, Responder respond) override {
    const HttpRequest& request = exchange->request;
    auto found = routes_.find(exchange->path);
    if (found != routes_.end()) {
      exchange->route = found->first;
      if (exchange->early_response) return respond(std::move(*exchange->early_response));
      const Route& route = found->second;
      bool allowed = request.method() == route.method ||
                     (route.method == http::verb::get && request.method() == http::verb::head);
      if (!allowed) {
        auto response =
            detail_response(request, http::status::method_not_allowed, "Method Not Allowed");
        response.set(http::field::allow, route.allow);
        return respond(std::move(response));
      }
      return route.handle(std::move(exchange), std::move(respond));
    }
    if (exchange->early_response) return respond(std::move(*exchange->early_response));

    const std::string& path = exchange->path;
    if (path != "/") {
      std::string other = ends_with(path, "/") ? path.substr(0, path.size() - 1) : path + "/";
      if (routes_.count(other)) {
        // The instrumentator names a redirected request by the path asked for.
        exchange->route = path;
        HttpResponse response{http::status::temporary_redirect, request.version()};
        std::string location = (exchange->secure ? "https://" : "http://") +
                               std::string(request[http::field::host]) + other;
        if (!exchange->query.empty()) location += "?" + exchange->query;
        response.set(http::field::location, location);
        response.prepare_payload();
        return respond(std::move(response));
      }
    }
    respond(detail_response(request, http::status::not_found, "Not Found"));
  }

 private:
  void get(std::string path, RouteFn handle) {
    add(std::move(path), http::verb::get, "GET, HEAD", std::move(handle));
  }
  void add(std::string path, http::verb method, std::string allow, RouteFn handle) {
    // The first route of a path wins, as in Starlette's ordered route list.
    routes_.try_emplace(std::move(path), Route{method, std::move(allow), std::move(handle)});
  }

  std::unordered_map<std::string, Route> routes_;  // constant after construction
  std::string openapi_;                            // constant after construction
};

class MetricsHandler final : public Handler {
 public:
  explicit MetricsHandler(const Metrics& metrics) : metrics_(metrics) {}
  void handle(std::shared_ptr<Exchange> exchange, Responder respond) override {
    if (exchange->early_response) return respond(std::move(*exchange->early_response));
    HttpResponse response{http::status::ok, exchange->request.version()};
    response.set(http::field::content_type, to_beast(kMetricsContentType));
    response.body() = metrics_.render();
    response.prepare_payload();
    respond(std::move(response));
  }

 private:
  const Metrics& metrics_;
};

}  // namespace

std::unique_ptr<Handler> make_router(const config::Config& config, const ServerSettings& settings,
                                     dispatch::Dispatcher& dispatcher, const Metrics* metrics,
                                     const std::atomic<bool>& stopping, const Auth* auth,
                                     std::string openapi) {
  return std::make_unique<Router>(config, settings, dispatcher, metrics, stopping, auth,
                                  std::move(openapi));
}

std::unique_ptr<Handler> make_metrics_handler(const Metrics& metrics) {
  return std::make_unique<MetricsHandler>(metrics);
}

}  // namespace ssf::runtime
