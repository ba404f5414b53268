// Authentication: the API key and session guards and their routes (auth.h says what differs
// from upstream, and why).

#include "runtime/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <cctype>
#include <utility>

namespace ssf::runtime {

namespace {

constexpr std::string_view kApiKeyName = "api_key";
constexpr std::string_view kSessionKeyName = "session_key";
constexpr std::string_view kInvalidKey =
    "Invalid credentials (Login first with /login?api_key=<key>)";
constexpr std::string_view kInvalidSession = "Invalid session (Login first with /session_login)";
constexpr size_t kSessionKeyBytes = 32;

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view text) {
  // Fetched once: OpenSSL 3 would otherwise look the algorithm up on every call, which costs
  // more than the hash itself. Never freed: it lives as long as the process.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Digest out{};
  unsigned int size = 0;
  // EVP_Digest cannot fail for SHA-256 on memory short of an allocation failure, which aborts
  // elsewhere anyway; a zero digest would then only make every comparison fail.
  EVP_Digest(text.data(), text.size(), out.data(), &size, md ? md : EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 0xf];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// urllib.parse.unquote_plus.
std::string unquote_plus(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
               hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string digest_key(std::string_view key) {
  Digest d = sha256(key);
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

// RFC 7617 Basic credentials, as FastAPI's HTTPBasic reads them; nullopt when the header is not
// Basic at all (401 "Not authenticated"); an error text when it is malformed (401 "Invalid
// authentication credentials").
struct BasicCredentials {
  std::string username;
  std::string password;
};
Result<std::optional<BasicCredentials>> basic_credentials(std::string_view header) {
  header = trim(header);
  auto space = header.find(' ');
  if (header.empty() || space == std::string_view::npos) return std::optional<BasicCredentials>();
  std::string scheme(header.substr(0, space));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "basic") return std::optional<BasicCredentials>();
  std::string_view encoded = trim(header.substr(space + 1));
  Error invalid(ResultCode::ArgumentError, "Invalid authentication credentials");
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 8192) return invalid;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n < 0) return invalid;
  size_t size = static_cast<size_t>(n);
  if (ends_with(encoded, "==")) size -= 2;
  else if (ends_with(encoded, "=")) size -= 1;
  decoded.resize(size);
  auto colon = decoded.find(':');
  if (colon == std::string::npos) return invalid;
  return std::optional<BasicCredentials>(
      BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)});
}

HttpResponse unauthorized(const HttpRequest& request, std::string_view detail) {
  auto response = detail_response(request, http::status::unauthorized, detail);
  response.set(http::field::www_authenticate, "Basic");
  return response;
}

}  // namespace

std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& pair : split(query, '&')) {
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = unquote_plus(std::string_view(pair).substr(0, eq));
    if (key != name) continue;
    found = eq == std::string::npos ? std::string() : unquote_plus(pair.substr(eq + 1));
  }
  return found;
}

std::optional<std::string> cookie_value(const HttpRequest& request, std::string_view name) {
  std::optional<std::string> found;
  for (const auto& field : request) {
    if (field.name() != http::field::cookie) continue;
    for (const auto& chunk : split(to_std(field.value()), ';')) {
      std::string_view part = trim(chunk);
      auto eq = part.find('=');
      if (eq == std::string_view::npos) continue;
      if (trim(part.substr(0, eq)) != name) continue;
      std::string_view value = trim(part.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      found = std::string(value);
    }
  }
  return found;
}

std::string set_cookie(std::string_view name, std::string_view value, int64_t max_age,
                       bool secure) {
  // Cookie values we set are hex keys or the operator's API key; a key with characters a cookie
  // cannot carry bare is quoted, as Python's SimpleCookie does.
  bool plain = true;
  for (char c : value) {
    if (c <= ' ' || c == '"' || c == ',' || c == ';' || c == '\\' || c == 0x7f) plain = false;
  }
  std::string out(name);
  out += '=';
  if (value.empty()) {
    out += "\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT";
  } else if (plain) {
    out += value;
  } else {
    out += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += "; HttpOnly; Max-Age=" + std::to_string(max_age) + "; Path=/; SameSite=lax";
  if (secure) out += "; Secure";
  return out;
}

HttpResponse redirect_home(const HttpRequest& request) {
  HttpResponse response{http::status::temporary_redirect, request.version()};
  response.set(http::field::location, "/");
  response.prepare_payload();
  return response;
}

bool secret_equals(std::string_view given, std::string_view expected) {
  return digest_equals(given, digest_key(expected));
}

bool digest_equals(std::string_view given, std::string_view expected_digest) {
  Digest a = sha256(given);
  return expected_digest.size() == a.size() &&
         CRYPTO_memcmp(a.data(), expected_digest.data(), a.size()) == 0;
}

// ---- SessionStore

Result<std::string> SessionStore::create(std::string user_id, TimePoint now) {
  unsigned char bytes[kSessionKeyBytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Error(ResultCode::InternalError, "the random source failed: no session created");
  }
  std::string key = to_hex(bytes, sizeof bytes);
  OPENSSL_cleanse(bytes, sizeof bytes);
  std::lock_guard lock(mutex_);
  purge_expired(now);
  sessions_[digest_key(key)] = Entry{std::move(user_id), now + lifetime_};
  return key;
}

std::optional<std::string> SessionStore::find(std::string_view key, TimePoint now) {
  std::string digest = digest_key(key);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.deadline <= now) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second.user_id;
}

std::optional<std::string> SessionStore::remove(std::string_view key, TimePoint now) {
  std::string digest = digest_key(key);
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  std::optional<std::string> user;
  if (it->second.deadline > now) user = std::move(it->second.user_id);
  sessions_.erase(it);
  return user;
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

void SessionStore::purge_expired(TimePoint now) {
  // Sessions nobody logs out of would pile up: whenever the store has doubled since the last
  // sweep, the expired ones go. Amortised O(1) per login.
  if (sessions_.size() < purge_at_) return;
  std::erase_if(sessions_, [now](const auto& item) { return item.second.deadline <= now; });
  purge_at_ = std::max<size_t>(1024, sessions_.size() * 2);
}

// ---- Auth

Auth::Auth(const ServerSettings& settings, UserCheck user_check)
    : user_check_(std::move(user_check)) {
  if (!settings.api_key.empty()) api_key_digest_ = digest_key(settings.api_key.reveal());
  if (settings.session_authentication) {
    sessions_ = std::make_unique<SessionStore>(settings.session_timeout);
    session_max_age_ = settings.session_timeout.count();
  }
}

std::optional<std::string> Auth::presented_key(const Exchange& exchange) const {
  // Upstream tries each source in turn; a wrong key in one does not hide a right one in another.
  const HttpRequest& request = exchange.request;
  if (auto q = query_value(exchange.query, kApiKeyName); q && !q->empty()) {
    if (digest_equals(*q, *api_key_digest_)) return q;
  }
  auto header = request.find(to_beast(kApiKeyName));
  if (header != request.end() && !header->value().empty()) {
    std::string h(to_std(header->value()));
    if (digest_equals(h, *api_key_digest_)) return h;
  }
  if (auto c = cookie_value(request, kApiKeyName); c && !c->empty()) {
    if (digest_equals(*c, *api_key_digest_)) return c;
  }
  return std::nullopt;
}

std::optional<HttpResponse> Auth::check_key(const Exchange& exchange) const {
  if (!api_key_digest_ || presented_key(exchange)) return std::nullopt;
  return detail_response(exchange.request, http::status::forbidden, kInvalidKey);
}

Result<std::pair<std::string, std::string>> Auth::live_session(const Exchange& exchange) const {
  auto key = cookie_value(exchange.request, kSessionKeyName);
  if (key && !key->empty()) {
    if (auto user = sessions_->find(*key, Clock::now())) {
      return std::pair<std::string, std::string>(std::move(*key), std::move(*user));
    }
  }
  return Error(ResultCode::ArgumentError, std::string(kInvalidSession));
}

std::optional<HttpResponse> Auth::guard(Exchange& exchange) const {
  if (auto denied = check_key(exchange)) return denied;
  if (!sessions_) return std::nullopt;
  auto session = live_session(exchange);
  if (!session) {
    return detail_response(exchange.request, http::status::forbidden, kInvalidSession);
  }
  exchange.user_id = std::move(session->second);
  return std::nullopt;
}

void Auth::login(std::shared_ptr<Exchange> exchange, Responder respond) const {
  auto key = presented_key(*exchange);
  if (!key) {
    return respond(detail_response(exchange->request, http::status::forbidden, kInvalidKey));
  }
  auto response = redirect_home(exchange->request);
  response.insert(http::field::set_cookie,
                  set_cookie(kApiKeyName, *key, api_key_max_age_, exchange->secure));
  respond(std::move(response));
}

void Auth::logout(std::shared_ptr<Exchange> exchange, Responder respond) const {
  auto response = redirect_home(exchange->request);
  response.insert(http::field::set_cookie, set_cookie(kApiKeyName, "", 0, exchange->secure));
  respond(std::move(response));
}

void Auth::session_login(std::shared_ptr<Exchange> exchange, Responder respond) const {
  const HttpRequest& request = exchange->request;
  auto credentials = basic_credentials(to_std(request[http::field::authorization]));
  if (!credentials) return respond(unauthorized(request, credentials.error().message()));
  if (!*credentials) return respond(unauthorized(request, "Not authenticated"));
  // Logging in again ends the session the browser had (upstream's re-login).
  if (auto old = cookie_value(request, kSessionKeyName); old && !old->empty()) {
    if (auto user = sessions_->remove(*old, Clock::now())) {
      log::info("> Deleted session for user_id {}", *user);
    }
  }
  std::string username = (*credentials)->username;
  SessionStore* sessions = sessions_.get();
  int64_t max_age = session_max_age_;
  auto done = [exchange, respond = std::move(respond), username, sessions,
               max_age](Result<std::optional<std::string>> outcome) mutable {
    boost::asio::post(exchange->executor, [exchange, respond = std::move(respond),
                                           username = std::move(username), sessions, max_age,
                                           outcome = std::move(outcome)]() mutable {
      const HttpRequest& request = exchange->request;
      if (!outcome) {
        log::error("Session login of {}: the user check failed: {}", username,
                   outcome.error().message());
        return respond(detail_response(request, http::status::internal_server_error,
                                       "Internal Server Error"));
      }
      if (!*outcome || (*outcome)->empty()) {
        log::error("Failed to authenticate user {}", username);
        return respond(unauthorized(request, "Invalid credentials"));
      }
      std::string user_id = std::move(**outcome);
      log::info("Authorized {} as user_id {}", username, user_id);
      auto key = sessions->create(user_id, Clock::now());
      if (!key) {
        log::error("Session login of {}: {}", username, key.error().message());
        return respond(detail_response(request, http::status::internal_server_error,
                                       "Internal Server Error"));
      }
      // Upstream logs the session key too; it is a bearer credential, so it is left out.
      log::info("> Created session for user_id {}", user_id);
      auto response = redirect_home(request);
      response.insert(http::field::set_cookie,
                      set_cookie(kSessionKeyName, *key, max_age, exchange->secure));
      respond(std::move(response));
    });
  };
  user_check_(std::move(username), std::move((*credentials)->password), std::move(done));
}

void Auth::session_logout(std::shared_ptr<Exchange> exchange, Responder respond) const {
  auto session = live_session(*exchange);
  if (!session) {
    return respond(detail_response(exchange->request, http::status::forbidden, kInvalidSession));
  }
  sessions_->remove(session->first, Clock::now());
  log::info("> Deleted session for user_id {}", session->second);
  auto response = redirect_home(exchange->request);
  response.insert(http::field::set_cookie, set_cookie(kSessionKeyName, "", 0, exchange->secure));
  respond(std::move(response));
}

void Auth::session_status(std::shared_ptr<Exchange> exchange, Responder respond) const {
  auto session = live_session(*exchange);
  if (!session) {
    return respond(detail_response(exchange->request, http::status::forbidden, kInvalidSession));
  }
  std::string body = "{\"user_id\":" + config::Value::string(session->second).to_json() + "}";
  respond(json_response(exchange->request, http::status::ok, std::move(body)));
}

}  // namespace ssf::runtime
