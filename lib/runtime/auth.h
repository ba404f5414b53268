#pragma once
// Internal to runtime: authentication (ssf-behaviour.md §5.7), as upstream's server_security.py
// (API key) and server_authentication.py (sessions), with the bugs of §11 fixed:
//   - the API key is compared in constant time, whatever its length, and never logged;
//   - a session cookie the server does not know (forged, expired, logged out) is refused (403);
//     upstream let any unknown cookie through;
//   - sessions expire on the server after --session-authentication-timeout seconds, not only in
//     the browser; keys are 256 bits from OpenSSL's CSPRNG (upstream: 64 bits, with the user id
//     appended in clear), and the store is keyed by their SHA-256, so lookups leak nothing;
//   - the cookies are HttpOnly (Secure too over TLS); upstream left the api_key one readable by
//     scripts "temporarily".
// Passwords reach the user check and nothing else: no log line, no error message holds one.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/core.h"
#include "runtime/http.h"
#include "runtime/runtime.h"

namespace ssf::runtime {

// Request helpers, as Starlette reads requests.
// The last value of `name` in a query string (parse_qsl: '+' is a space, %XX decoded); nullopt
// when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view name);
// The value of cookie `name` from the Cookie headers (the last one wins, as Starlette's parser);
// surrounding double quotes are removed.
std::optional<std::string> cookie_value(const HttpRequest& request, std::string_view name);
// A Set-Cookie value as Starlette's set_cookie writes it (path "/", SameSite=lax), plus HttpOnly,
// and Secure when `secure`. `max_age` 0 with an empty value deletes the cookie.
std::string set_cookie(std::string_view name, std::string_view value, int64_t max_age,
                       bool secure);

// Upstream's 307 to "/" (RedirectResponse(url="/")).
HttpResponse redirect_home(const HttpRequest& request);

// Server-side sessions: key → user id, each until its deadline. Thread-safe.
class SessionStore {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit SessionStore(std::chrono::seconds lifetime) : lifetime_(lifetime) {}

  // A new session for `user_id`, valid until now + lifetime. Errors: InternalError when the
  // random source fails (no session is made then).
  Result<std::string> create(std::string user_id, TimePoint now);
  // The user of a live session; nullopt for an unknown or expired key (an expired one is removed).
  std::optional<std::string> find(std::string_view key, TimePoint now);
  // Removes a session; returns its user id when it existed (and had not expired).
  std::optional<std::string> remove(std::string_view key, TimePoint now);
  size_t size() const;

 private:
  struct Entry {
    std::string user_id;
    TimePoint deadline;
  };
  void purge_expired(TimePoint now);  // with mutex_ held

  std::chrono::seconds lifetime_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> sessions_;  // GUARDED_BY(mutex_); by SHA-256 of the key
  size_t purge_at_ = 1024;                           // GUARDED_BY(mutex_)
};

// Constant-time equality of two secrets of any lengths: both are hashed (SHA-256) and the digests
// compared with CRYPTO_memcmp, so that neither the content nor the length of `expected` leaks.
bool secret_equals(std::string_view given, std::string_view expected);
// The same against the SHA-256 digest of the expected secret (32 bytes), computed once.
bool digest_equals(std::string_view given, std::string_view expected_digest);

// The authentication of one server: the API key guard, the session guard, and the routes that
// go with them. Immutable after construction but for the session store.
class Auth {
 public:
  // `settings.api_key` / `settings.session_authentication` say which parts are on. `user_check`
  // is required when sessions are on.
  Auth(const ServerSettings& settings, UserCheck user_check);

  bool api_key_enabled() const { return api_key_digest_.has_value(); }
  bool sessions_enabled() const { return sessions_ != nullptr; }

  // What guards an endpoint: nullopt lets the request through (with exchange.user_id set when
  // sessions are on), else the 403 to answer. API key first, then session, as upstream's
  // dependencies.
  std::optional<HttpResponse> guard(Exchange& exchange) const;

  // The routes (runtime.h lists them). Each answers through `respond`, on the exchange's strand.
  void login(std::shared_ptr<Exchange> exchange, Responder respond) const;
  void logout(std::shared_ptr<Exchange> exchange, Responder respond) const;
  void session_login(std::shared_ptr<Exchange> exchange, Responder respond) const;
  void session_logout(std::shared_ptr<Exchange> exchange, Responder respond) const;
  void session_status(std::shared_ptr<Exchange> exchange, Responder respond) const;

 private:
  // The matching key the request presents (query, then header, then cookie); nullopt if none.
  std::optional<std::string> presented_key(const Exchange& exchange) const;
  std::optional<HttpResponse> check_key(const Exchange& exchange) const;
  // The session key of a live session, and its user; else the 403.
  Result<std::pair<std::string, std::string>> live_session(const Exchange& exchange) const;

  // The key's SHA-256: the key itself is not kept here, and each check hashes once.
  std::optional<std::string> api_key_digest_;
  int64_t api_key_max_age_ = 10080;     // upstream's api_key_timeout (seconds)
  std::unique_ptr<SessionStore> sessions_;
  int64_t session_max_age_ = 10080;
  UserCheck user_check_;
};

}  // namespace ssf::runtime
