// Starlette's CORSMiddleware, rule for rule (cors.h).

#include "runtime/cors.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <utility>

namespace ssf::runtime {

namespace {

// Starlette's ALL_METHODS and SAFELISTED_HEADERS.
const std::vector<std::string> kAllMethods = {"DELETE", "GET",  "HEAD", "OPTIONS",
                                              "PATCH",  "POST", "PUT"};
const std::set<std::string> kSafelistedHeaders = {"Accept", "Accept-Language", "Content-Language",
                                                  "Content-Type"};

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class CorsMiddleware final : public Middleware {
 public:
  CorsMiddleware(const CorsSettings& settings, std::regex origin_regex)
      : origin_regex_(std::move(origin_regex)),
        allow_all_headers_(contains(settings.allow_headers, "*")) {
    allow_methods_ = contains(settings.allow_methods, "*") ? kAllMethods : settings.allow_methods;
    // allow_origins is empty in upstream's setup, so every allowed origin is echoed.
    if (settings.allow_credentials) simple_headers_.emplace_back("Access-Control-Allow-Credentials", "true");
    std::vector<std::string> expose;
    for (const auto& h : settings.expose_headers) {
      if (!h.empty()) expose.push_back(h);
    }
    if (!expose.empty()) simple_headers_.emplace_back("Access-Control-Expose-Headers", join(expose, ", "));

    preflight_headers_.emplace_back("Vary", "Origin");
    preflight_headers_.emplace_back("Access-Control-Allow-Methods", join(allow_methods_, ", "));
    preflight_headers_.emplace_back("Access-Control-Max-Age", std::to_string(settings.max_age));
    std::set<std::string> headers = kSafelistedHeaders;
    headers.insert(settings.allow_headers.begin(), settings.allow_headers.end());
    for (const auto& h : headers) allow_headers_.push_back(lower(h));
    if (!allow_all_headers_) {
      preflight_headers_.emplace_back("Access-Control-Allow-Headers",
                                      join(std::vector<std::string>(headers.begin(), headers.end()), ", "));
    }
    if (settings.allow_credentials) {
      preflight_headers_.emplace_back("Access-Control-Allow-Credentials", "true");
    }
  }

  void handle(std::shared_ptr<Exchange> exchange, Responder respond, const Next& next) override {
    const HttpRequest& request = exchange->request;
    auto origin_field = request.find(http::field::origin);
    if (origin_field == request.end()) return next(std::move(exchange), std::move(respond));
    std::string origin(to_std(origin_field->value()));
    bool preflight = request.method() == http::verb::options &&
                     request.find(http::field::access_control_request_method) != request.end();
    if (preflight) return respond(preflight_response(request, origin));

    bool allowed = allowed_origin(origin);
    next(std::move(exchange), [this, allowed, origin = std::move(origin),
                               respond = std::move(respond)](HttpResponse response) {
      for (const auto& [name, value] : simple_headers_) response.set(name, value);
      if (allowed) {
        response.set(http::field::access_control_allow_origin, origin);
        add_vary_origin(response);
      }
      respond(std::move(response));
    });
  }

 private:
  bool allowed_origin(const std::string& origin) const {
    return std::regex_match(origin, origin_regex_);  // Python's re.fullmatch
  }

  static void add_vary_origin(HttpResponse& response) {
    auto vary = response.find(http::field::vary);
    if (vary == response.end()) {
      response.set(http::field::vary, "Origin");
    } else {
      response.set(http::field::vary, std::string(to_std(vary->value())) + ", Origin");
    }
  }

  HttpResponse preflight_response(const HttpRequest& request, const std::string& origin) const {
    HttpResponse response{http::status::ok, request.version()};
    for (const auto& [name, value] : preflight_headers_) response.set(name, value);
    std::vector<std::string> failures;
    if (allowed_origin(origin)) {
      response.set(http::field::access_control_allow_origin, origin);
    } else {
      failures.push_back("origin");
    }
    std::string method(to_std(request[http::field::access_control_request_method]));
    if (!contains(allow_methods_, method)) failures.push_back("method");
    auto requested = request.find(http::field::access_control_request_headers);
    if (requested != request.end()) {
      if (allow_all_headers_) {
        // Allowing every header means mirroring the ones asked for.
        response.set(http::field::access_control_allow_headers, requested->value());
      } else {
        for (const auto& h : split(to_std(requested->value()), ',')) {
          if (!contains(allow_headers_, lower(trim(h)))) {
            failures.push_back("headers");
            break;
          }
        }
      }
    }
    response.set(http::field::content_type, "text/plain; charset=utf-8");
    if (failures.empty()) {
      response.body() = "OK";
    } else {
      response.result(http::status::bad_request);
      response.body() = "Disallowed CORS " + join(failures, ", ");
    }
    response.prepare_payload();
    return response;
  }

  std::regex origin_regex_;
  bool allow_all_headers_;
  std::vector<std::string> allow_methods_;
  std::vector<std::string> allow_headers_;  // lower case
  std::vector<std::pair<std::string, std::string>> simple_headers_;
  std::vector<std::pair<std::string, std::string>> preflight_headers_;
};

}  // namespace

Result<std::unique_ptr<Middleware>> make_cors_middleware(const CorsSettings& settings) {
  std::regex origin_regex;
  try {
    origin_regex = std::regex(settings.allow_origin_regex, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Error(ResultCode::ArgumentError, "--cors-allow-origin-regex: '" +
                                                settings.allow_origin_regex +
                                                "' is not a regular expression: " + e.what());
  }
  return std::unique_ptr<Middleware>(
      std::make_unique<CorsMiddleware>(settings, std::move(origin_regex)));
}

}  // namespace ssf::runtime
