// Session: scheme choice, ping, challenges, tokens, retries.
//
// Auth follows distribution's token spec (docs/spec/auth/token.md) and go-containerregistry's
// transport (pkg/v1/remote/transport): ping /v2/, read the challenge, then either send Basic
// credentials on every request or trade them at the realm for a Bearer token covering every scope
// the operation needs (push and pull on the target, pull on mount sources), so that parallel
// transfers share one token. On a later 401 whose challenge names a new scope, the token is asked
// again for the union.
//
// Harbor quirk (goharbor/harbor#19588, containerd/nerdctl#1675): a request that carried an
// Authorization header and failed is answered with `Basic realm="harbor"`, not a Bearer challenge.
// Harbor accepts Basic credentials on /v2 directly, so the session switches to Basic then.

#include "registry/session.h"

#include <algorithm>
#include <random>
#include <thread>

#include "registry/base64.h"
#include "registry/wire.h"

namespace ssf::registry {
namespace {

using Clock = std::chrono::steady_clock;

Error unauthorized(std::string_view why) {
  return Error(ResultCode::DockerServerError, fmt::format("unauthorized: {}", why));
}

bool transient(const HttpResponse& r) {
  if (r.status == 0) return r.transport_retryable;
  return r.status == 408 || r.status == 429 || r.status >= 500;
}

bool allowed_plain_http(const std::string& host, const ClientOptions& options) {
  if (is_loopback_host(host)) return true;
  return std::find(options.insecure_registries.begin(), options.insecure_registries.end(), host) !=
         options.insecure_registries.end();
}

std::string path_of(const std::string& url) {
  auto scheme = url.find("://");
  auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  // Upload URLs carry distribution's long _state token: not worth a line of its own.
  if (auto q = path.find("?_state="); q != std::string::npos) path = path.substr(0, q);
  return path;
}

// "NAME_UNKNOWN" -> "name unknown".
std::string spoken(std::string code) {
  std::transform(code.begin(), code.end(), code.begin(), [](char c) {
    return c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return code;
}

// The status decides the class when it says more than the registry's code (401, 403, 429, 5xx:
// callers retry on the last two); otherwise the registry's error code names the cause.
std::string cause_of(const HttpResponse& response, const std::vector<RegistryError>& errors) {
  if (response.status == 401) return "unauthorized";
  if (response.status == 403) return "denied";
  if (response.status == 429) return "too many requests";
  if (response.status >= 500) return "server error";
  if (!errors.empty() && !errors.front().code.empty()) return spoken(errors.front().code);
  if (response.status == 404) return "not found";
  return "unexpected answer";
}

}  // namespace

Error http_error(const HttpRequest& request, const HttpResponse& response) {
  if (response.status == 0) {
    return Error(ResultCode::DockerServerError,
                 fmt::format("network: {} ({} {})", response.transport_error, request.method,
                             path_of(request.url)));
  }
  auto errors = parse_error_body(response.body);
  std::string cause = cause_of(response, errors);
  std::string detail;
  if (!errors.empty()) {
    std::string said = errors.front().message.empty() ? spoken(errors.front().code)
                                                      : errors.front().message;
    if (!said.empty() && said != cause) detail = ": " + said;
  }
  return Error(ResultCode::DockerServerError,
               fmt::format("{}{} ({} {}: {})", cause, detail, request.method, path_of(request.url),
                           response.status));
}

Session::Session(const Reference& ref, std::optional<Credentials> credentials,
                 const ClientOptions& options)
    : registry_(ref.registry), credentials_(std::move(credentials)), options_(options) {
  tls_.ca_file = options.ca_file;
  tls_.stall_timeout = options.stall_timeout;
}

Result<std::unique_ptr<Session>> Session::open(const Reference& ref,
                                               std::vector<std::string> scopes,
                                               const ClientOptions& options) {
  auto credentials = find_credentials(ref.registry, options.credentials, options.docker_config_dir);
  if (!credentials) return std::move(credentials).error();
  std::unique_ptr<Session> session(new Session(ref, std::move(*credentials), options));
  session->scopes_.insert(scopes.begin(), scopes.end());

  std::string host = ref.api_host();
  bool plain_allowed = allowed_plain_http(ref.registry, options);
  bool insecure = std::find(options.insecure_registries.begin(), options.insecure_registries.end(),
                            ref.registry) != options.insecure_registries.end();
  // An --insecure-registry host may have a certificate nobody can verify (docker's behaviour).
  session->tls_.verify = !insecure;

  HttpClient client(session->tls_);
  HttpRequest ping;
  ping.url = "https://" + host + "/v2/";
  HttpResponse answer = client.perform(ping);
  for (int attempt = 1; answer.status == 0 && answer.transport_retryable &&
                        attempt < options.max_attempts;
       ++attempt) {
    std::this_thread::sleep_for(session->backoff(attempt, answer));
    answer = client.perform(ping);
  }
  if (answer.status == 0 && answer.tls_protocol_error && plain_allowed) {
    // Docker's rule: a loopback or --insecure-registry host may speak plain HTTP. Only when the
    // port does not speak TLS at all: a certificate that fails verification is an error.
    log::debug("registry {}: no TLS ({}), trying plain HTTP", ref.registry, answer.transport_error);
    ping.url = "http://" + host + "/v2/";
    answer = client.perform(ping);
  }
  if (answer.status == 0) {
    Error error = http_error(ping, answer);
    if (!answer.tls_protocol_error && answer.transport_error.find("certificate") != std::string::npos) {
      return Error(error.code(), error.message() + "; give the registry's CA with --registry-ca");
    }
    return error;
  }
  session->base_ = ping.url.substr(0, ping.url.size() - 4);  // without "/v2/"

  if (answer.status == 401) {
    std::lock_guard lock(session->mutex_);
    // The ping is unauthenticated: this is the registry's first challenge.
    SSF_TRY(session->on_unauthorized(client, answer, session->generation_));
  } else if (answer.status >= 300) {
    return http_error(ping, answer).with_context("ping");
  }
  log::debug("registry {}: {} ({})", ref.registry, session->base_,
             session->scheme_ == Scheme::Bearer  ? "token auth"
             : session->scheme_ == Scheme::Basic ? "basic auth"
                                                 : "no auth");
  return session;
}

std::optional<std::string> Session::basic_header() const {
  if (!credentials_) return std::nullopt;
  return "Authorization: Basic " +
         base64_encode(credentials_->username + ":" + credentials_->password.reveal());
}

Result<std::pair<std::string, int>> Session::authorization(HttpClient& client) {
  std::lock_guard lock(mutex_);
  if (scheme_ == Scheme::Basic) return std::pair{*basic_header(), generation_};
  if (scheme_ == Scheme::Bearer) {
    // Reuse the token until it expires, with a margin for the request's own time: 10 s, or a
    // quarter of the token's life for short-lived tokens (else each request would fetch one).
    if (token_.empty() || Clock::now() + token_margin_ >= token_expiry_) {
      SSF_TRY(fetch_token(client));
    }
    return std::pair{"Authorization: Bearer " + token_, generation_};
  }
  return std::pair{std::string(), generation_};
}

Status Session::fetch_token(HttpClient& client) {
  std::string realm = bearer_.param("realm");
  if (!starts_with(realm, "https://") &&
      !(starts_with(realm, "http://") && starts_with(base_, "http://")) &&
      !(starts_with(realm, "http://") && !tls_.verify)) {
    return unauthorized(fmt::format("the token realm '{}' is not an https URL", realm));
  }
  if (++token_fetches_ > 20) return unauthorized("the token service keeps issuing unusable tokens");
  HttpRequest request;
  request.url = realm;
  if (auto service = bearer_.param("service"); !service.empty()) {
    request.url = add_query(request.url, "service", service);
  }
  for (const auto& scope : scopes_) request.url = add_query(request.url, "scope", scope);
  if (credentials_) request.headers.push_back(*basic_header());
  HttpResponse response;
  for (int attempt = 1;; ++attempt) {
    response = client.perform(request);
    if (!transient(response) || attempt >= options_.max_attempts) break;
    std::this_thread::sleep_for(backoff(attempt, response));
  }
  if (response.status == 401 || response.status == 403) {
    return unauthorized(credentials_ ? fmt::format("the token service rejected the credentials of "
                                                   "user '{}'",
                                                   credentials_->username)
                                     : "the token service needs credentials");
  }
  if (response.status != 200) return http_error(request, response).with_context("token");
  auto token = parse_token_response(response.body);
  if (!token) return std::move(token).error();
  token_ = token->token;
  log::add_secret(token_);
  token_expiry_ = Clock::now() + std::chrono::seconds(token->expires_in);
  token_margin_ = std::min<Clock::duration>(std::chrono::seconds(10),
                                            std::chrono::seconds(token->expires_in) / 4);
  ++generation_;
  return {};
}

Status Session::on_unauthorized(HttpClient& client, const HttpResponse& response, int generation) {
  if (generation != generation_) return {};  // another thread already renewed the auth state
  std::vector<Challenge> challenges;
  for (const auto& header : response.all("www-authenticate")) {
    auto parsed = parse_challenges(header);
    challenges.insert(challenges.end(), parsed.begin(), parsed.end());
  }
  auto find = [&](std::string_view scheme) -> const Challenge* {
    for (const auto& c : challenges) {
      if (c.scheme == scheme) return &c;
    }
    return nullptr;
  };
  std::string who = credentials_ ? fmt::format("user '{}'", credentials_->username) : "anonymous";
  if (const Challenge* bearer = find("bearer")) {
    size_t before = scopes_.size();
    for (const auto& scope : split(bearer->param("scope"), ' ')) {
      if (!scope.empty()) scopes_.insert(scope);
    }
    bool wider = scopes_.size() > before;
    if (scheme_ == Scheme::Bearer && !wider && bearer->param("realm") == bearer_.param("realm")) {
      // A fresh token for every scope asked was refused: no rights, or credentials the token
      // service took but granted nothing to (Harbor does that "by design", goharbor/harbor#11632).
      return unauthorized(fmt::format("{} has no access to {} ({})", who,
                                      join({scopes_.begin(), scopes_.end()}, " "),
                                      credentials_ ? "wrong user name or password, or no rights"
                                                   : "give --docker-username/--docker-password"));
    }
    scheme_ = Scheme::Bearer;
    bearer_ = *bearer;
    return fetch_token(client);
  }
  if (find("basic")) {
    if (!credentials_) {
      return unauthorized("the registry needs credentials: give --docker-username and "
                          "--docker-password, or run docker login");
    }
    if (scheme_ == Scheme::Basic) {
      return unauthorized(fmt::format("the registry rejected the credentials of {} (wrong user "
                                      "name or password)",
                                      who));
    }
    scheme_ = Scheme::Basic;  // first challenge, or Harbor's switch after a failed Bearer request
    ++generation_;
    return {};
  }
  return unauthorized(fmt::format("the registry refused {} and offered no usable challenge", who));
}

std::chrono::milliseconds Session::backoff(int attempt, const HttpResponse& response) const {
  using std::chrono::milliseconds;
  // Retry-After in seconds (the HTTP-date form is rare from registries and treated as absent).
  if (auto after = response.header("retry-after"); !after.empty()) {
    char* end = nullptr;
    long seconds = std::strtol(after.c_str(), &end, 10);
    if (end && *end == '\0' && seconds >= 0) return milliseconds(std::min(seconds, 60L) * 1000);
  }
  thread_local std::mt19937 random(std::random_device{}());
  double base = static_cast<double>(options_.retry_delay.count()) * (1 << std::min(attempt - 1, 6));
  double jittered = base * std::uniform_real_distribution<double>(0.5, 1.5)(random);
  return milliseconds(static_cast<int64_t>(std::min(jittered, 10000.0)));
}

Result<HttpResponse> Session::send(HttpClient& client, HttpRequest request, bool retry) {
  if (!starts_with(request.url, "http://") && !starts_with(request.url, "https://")) {
    request.url = base_ + request.url;
  }
  const size_t own_headers = request.headers.size();
  int auth_rounds = 0;
  for (int attempt = 1;;) {
    auto auth = authorization(client);
    if (!auth) return std::move(auth).error();
    request.headers.resize(own_headers);
    if (!auth->first.empty()) request.headers.push_back(auth->first);
    auto started = Clock::now();
    HttpResponse response = client.perform(request);
    if (log::enabled(log::Level::Debug)) {
      log::debug("registry: {} {} -> {} ({:.3f} s)", request.method, path_of(request.url),
                 response.status ? std::to_string(response.status) : response.transport_error,
                 std::chrono::duration<double>(Clock::now() - started).count());
    }
    if (response.status == 401 && auth_rounds < 4) {
      ++auth_rounds;
      std::lock_guard lock(mutex_);
      SSF_TRY(on_unauthorized(client, response, auth->second));
      continue;
    }
    if (response.status == 401) return http_error(request, response);
    if (retry && transient(response) && attempt < options_.max_attempts) {
      auto delay = backoff(attempt, response);
      log::debug("registry: {} {}: {}; retrying in {} ms", request.method, path_of(request.url),
                 response.status ? std::to_string(response.status) : response.transport_error,
                 delay.count());
      std::this_thread::sleep_for(delay);
      ++attempt;
      continue;
    }
    if (response.status == 0) return http_error(request, response);
    return response;
  }
}

}  // namespace ssf::registry
