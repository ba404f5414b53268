#pragma once
// A Session speaks to one registry for one operation (a push or a pull): it knows the base URL
// (https, or http where allowed), answers WWW-Authenticate challenges (Basic; Bearer tokens, reused
// until they expire and asked again with a wider scope), and retries transient failures with
// backoff. Internal to the module.
//
// Thread safety: send() may be called from many threads at once, each with its own HttpClient;
// the auth state is shared and guarded by a mutex, so that one token serves every transfer.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/core.h"
#include "registry/challenge.h"
#include "registry/http.h"
#include "registry/options.h"
#include "registry/reference.h"

namespace ssf::registry {

class Session {
 public:
  // Chooses the scheme (https; http for loopback or --insecure-registry hosts, when the host does
  // not speak TLS), pings /v2/ and authenticates for `scopes` ("repository:app:pull,push").
  // Errors: DockerServerError: "network: ...", "unauthorized: ...", TLS verification failures.
  static Result<std::unique_ptr<Session>> open(const Reference& ref, std::vector<std::string> scopes,
                                               const ClientOptions& options);

  const std::string& base_url() const { return base_; }  // "https://host:port"
  const std::string& registry() const { return registry_; }
  bool has_credentials() const { return credentials_.has_value(); }
  TlsOptions tls() const { return tls_; }
  const ClientOptions& options() const { return options_; }

  // Sends `request` (its url absolute, or a path below base_url()) with authorization; a 401 is
  // answered (new token, wider scope, Harbor's switch to Basic) and the request sent again. With
  // `retry`, connection errors, 408, 429 and 5xx are retried with exponential backoff and jitter,
  // or after the server's Retry-After. Any other HTTP answer is returned as it is.
  // Errors: DockerServerError "network: <cause>" when no answer came; "unauthorized: ..." when the
  // registry keeps refusing.
  Result<HttpResponse> send(HttpClient& client, HttpRequest request, bool retry = true);

  // HTTP-Basic credentials for a side API (Harbor's /api/v2.0), when there are credentials.
  std::optional<std::string> basic_header() const;

 private:
  Session(const Reference& ref, std::optional<Credentials> credentials,
          const ClientOptions& options);
  enum class Scheme { None, Basic, Bearer };

  // The Authorization header to send now ("" for none) and the generation of the auth state.
  Result<std::pair<std::string, int>> authorization(HttpClient& client);
  // Reacts to a 401 answer to a request sent with auth state `generation`. Errors when hopeless.
  Status on_unauthorized(HttpClient& client, const HttpResponse& response, int generation);
  Status fetch_token(HttpClient& client);  // mutex_ held
  std::chrono::milliseconds backoff(int attempt, const HttpResponse& response) const;

  // Constant after open().
  std::string registry_;
  std::string base_;
  std::optional<Credentials> credentials_;
  const ClientOptions& options_;
  TlsOptions tls_;

  std::mutex mutex_;
  // Guarded by mutex_.
  Scheme scheme_ = Scheme::None;
  Challenge bearer_;
  std::set<std::string> scopes_;
  std::string token_;
  std::chrono::steady_clock::time_point token_expiry_;
  std::chrono::steady_clock::duration token_margin_{};
  int generation_ = 0;
  int token_fetches_ = 0;
};

// A DockerServerError for an HTTP answer that is not what was expected:
// "<cause>: <registry's message> (<METHOD> <path>: <status>)", the cause read from the status
// and the registry's error code: unauthorized, denied, name unknown, manifest invalid, ...
Error http_error(const HttpRequest& request, const HttpResponse& response);

}  // namespace ssf::registry
