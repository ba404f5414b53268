// Authentication: the API key and session guards, their routes, and the helpers under them
// (ssf-behaviour.md §5.7; the §11 fixes: forged and expired sessions are refused).

#include <catch2/catch.hpp>
#include <set>

#include "runtime/auth.h"
#include "support.h"

namespace ssf::runtime {
namespace {

using namespace test;

constexpr const char* kKeyRefused =
    R"x({"detail":"Invalid credentials (Login first with /login?api_key=<key>)"})x";
constexpr const char* kSessionRefused =
    R"x({"detail":"Invalid session (Login first with /session_login)"})x";

ServerSettings with_key(std::string key) {
  ServerSettings s = test_settings();
  s.api_key = Secret(std::move(key));
  return s;
}

// A user check: "alice"/"wonderland" is user 7; "boom" fails the check itself.
ServerSettings with_sessions(std::chrono::seconds timeout = std::chrono::seconds(600)) {
  ServerSettings s = test_settings();
  s.session_authentication = true;
  s.session_timeout = timeout;
  s.user_check = [](std::string user, std::string password, UserCheckDone done) {
    if (user == "boom") return done(Error(ResultCode::InternalError, "module raised"));
    if (user == "alice" && password == "wonderland") return done(std::optional<std::string>("7"));
    done(std::optional<std::string>());
  };
  return s;
}

std::string basic(const std::string& credentials) {
  // base64 of a few fixed strings, spelled out so the test does not need an encoder.
  if (credentials == "alice:wonderland") return "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n";
  if (credentials == "alice:wrong") return "Authorization: Basic YWxpY2U6d3Jvbmc=\r\n";
  if (credentials == "boom:x") return "Authorization: Basic Ym9vbTp4\r\n";
  return "Authorization: Basic " + credentials + "\r\n";
}

// The session_key value of a Set-Cookie header.
std::string session_cookie(const Response& r) {
  std::string set = header(r, "Set-Cookie");
  auto start = set.find("session_key=");
  if (start == std::string::npos) return "";
  start += 12;
  return set.substr(start, set.find(';', start) - start);
}

TEST_CASE("query_value and cookie_value read requests as Starlette does", "[runtime][auth]") {
  CHECK(query_value("a=1&api_key=k%20y&b=2", "api_key") == "k y");
  CHECK(query_value("api_key=a+b&api_key=last", "api_key") == "last");
  CHECK(query_value("api_key=", "api_key") == "");
  CHECK_FALSE(query_value("other=1", "api_key").has_value());
  CHECK(query_value("api%5Fkey=x", "api_key") == "x");

  HttpRequest request;
  request.insert(http::field::cookie, "a=1; api_key=first");
  request.insert(http::field::cookie, "api_key=\"second\"; b=2");
  CHECK(cookie_value(request, "api_key") == "second");
  CHECK(cookie_value(request, "b") == "2");
  CHECK_FALSE(cookie_value(request, "session_key").has_value());
}

TEST_CASE("set_cookie writes Starlette's attributes, HttpOnly, and Secure over TLS",
          "[runtime][auth]") {
  CHECK(set_cookie("api_key", "k", 10080, false) ==
        "api_key=k; HttpOnly; Max-Age=10080; Path=/; SameSite=lax");
  CHECK(set_cookie("api_key", "k", 5, true) ==
        "api_key=k; HttpOnly; Max-Age=5; Path=/; SameSite=lax; Secure");
  CHECK(set_cookie("api_key", "", 0, false) ==
        "api_key=\"\"; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Max-Age=0; Path=/; "
        "SameSite=lax");
  CHECK(set_cookie("api_key", "a b;\"c", 1, false) ==
        "api_key=\"a b;\\\"c\"; HttpOnly; Max-Age=1; Path=/; SameSite=lax");
}

TEST_CASE("secret_equals compares whole values of any length", "[runtime][auth]") {
  CHECK(secret_equals("key", "key"));
  CHECK_FALSE(secret_equals("key", "kez"));
  CHECK_FALSE(secret_equals("ke", "key"));
  CHECK_FALSE(secret_equals("", "key"));
  CHECK_FALSE(secret_equals("keyy", "key"));
}

TEST_CASE("sessions: random 256-bit keys, lookup, expiry, removal", "[runtime][auth]") {
  SessionStore store(std::chrono::seconds(10));
  auto t0 = SessionStore::TimePoint() + std::chrono::hours(1);
  std::set<std::string> keys;
  for (int i = 0; i < 100; ++i) {
    auto key = store.create("u" + std::to_string(i), t0);
    REQUIRE(key.has_value());
    CHECK(key->size() == 64);
    CHECK(key->find_first_not_of("0123456789abcdef") == std::string::npos);
    keys.insert(*key);
  }
  CHECK(keys.size() == 100);
  const std::string key = *keys.begin();
  CHECK(store.find(key, t0 + std::chrono::seconds(9)).has_value());
  CHECK_FALSE(store.find(key + "0", t0).has_value());
  CHECK_FALSE(store.find(key.substr(0, 16), t0).has_value());
  // Expired: refused, and removed.
  CHECK_FALSE(store.find(key, t0 + std::chrono::seconds(10)).has_value());
  CHECK(store.size() == 99);
  const std::string other = *std::next(keys.begin());
  CHECK(store.remove(other, t0).has_value());
  CHECK_FALSE(store.find(other, t0).has_value());
  CHECK_FALSE(store.remove(other, t0).has_value());
}

TEST_CASE("API key: endpoints need the key from query, header or cookie", "[runtime][auth]") {
  TestServer server(with_key("s3cret"));
  auto refused = fetch(server.port(), "POST", "/v1/Test1", R"({"x":1})");
  CHECK(refused.result_int() == 403);
  CHECK(refused.body() == kKeyRefused);
  // Auth comes before validation, as upstream's dependencies: 403, not 422.
  CHECK(fetch(server.port(), "POST", "/v1/Test1", "{}").result_int() == 403);
  CHECK(fetch(server.port(), "POST", "/v1/Test1?api_key=wrong", R"({"x":1})").result_int() == 403);
  CHECK(fetch(server.port(), "POST", "/v1/Test1?api_key=s3cre", R"({"x":1})").result_int() == 403);
  CHECK(fetch(server.port(), "POST", "/v1/Test1?api_key=s3cret", R"({"x":1})").result_int() == 200);

  Client client(server.port());
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", "api_key: s3cret\r\n").result_int() ==
        200);
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", "Cookie: api_key=s3cret\r\n")
            .result_int() == 200);
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", "Cookie: api_key=nope\r\n")
            .result_int() == 403);
  // A wrong key in one place does not hide the right one in another.
  CHECK(client.request("POST", "/v1/Test1?api_key=nope", R"({"x":1})", "api_key: s3cret\r\n")
            .result_int() == 200);

  // Open routes stay open.
  for (const char* open : {"/", "/health/ready", "/health/live", "/metrics", "/openapi.json",
                           "/docs"}) {
    CAPTURE(open);
    CHECK(fetch(server.port(), "GET", open).result_int() == 200);
  }
}

TEST_CASE("API key: /login sets the cookie, /logout removes it", "[runtime][auth]") {
  TestServer server(with_key("s3cret"));
  auto login = fetch(server.port(), "GET", "/login?api_key=s3cret");
  CHECK(login.result_int() == 307);
  CHECK(header(login, "Location") == "/");
  CHECK(header(login, "Set-Cookie") ==
        "api_key=s3cret; HttpOnly; Max-Age=10080; Path=/; SameSite=lax");
  auto bad = fetch(server.port(), "GET", "/login?api_key=guess");
  CHECK(bad.result_int() == 403);
  CHECK(bad.body() == kKeyRefused);
  CHECK(header(bad, "Set-Cookie").empty());
  auto logout = fetch(server.port(), "GET", "/logout");
  CHECK(logout.result_int() == 307);
  CHECK(header(logout, "Set-Cookie").rfind("api_key=\"\"; expires=Thu, 01 Jan 1970", 0) == 0);
}

TEST_CASE("without --key or sessions there are no login routes", "[runtime][auth]") {
  TestServer server;
  for (const char* path : {"/login", "/logout", "/session_login", "/session_status"}) {
    CAPTURE(path);
    CHECK(fetch(server.port(), "GET", path).result_int() == 404);
  }
  CHECK(fetch(server.port(), "POST", "/v1/Test1", R"({"x":1})").result_int() == 200);
}

TEST_CASE("sessions: login, use, status, logout, and forged or stale keys refused",
          "[runtime][auth]") {
  TestServer server(with_sessions());
  auto no_session = fetch(server.port(), "POST", "/v1/Test1", R"({"x":1})");
  CHECK(no_session.result_int() == 403);
  CHECK(no_session.body() == kSessionRefused);

  Client client(server.port());
  auto anonymous = client.request("GET", "/session_login");
  CHECK(anonymous.result_int() == 401);
  CHECK(anonymous.body() == R"({"detail":"Not authenticated"})");
  CHECK(header(anonymous, "WWW-Authenticate") == "Basic");
  auto wrong = client.request("GET", "/session_login", "", basic("alice:wrong"));
  CHECK(wrong.result_int() == 401);
  CHECK(wrong.body() == R"({"detail":"Invalid credentials"})");
  CHECK(header(wrong, "WWW-Authenticate") == "Basic");
  auto garbled = client.request("GET", "/session_login", "", basic("!!!!"));
  CHECK(garbled.result_int() == 401);
  CHECK(garbled.body() == R"({"detail":"Invalid authentication credentials"})");
  auto failing = client.request("GET", "/session_login", "", basic("boom:x"));
  CHECK(failing.result_int() == 500);

  auto login = client.request("GET", "/session_login", "", basic("alice:wonderland"));
  CHECK(login.result_int() == 307);
  CHECK(header(login, "Location") == "/");
  std::string key = session_cookie(login);
  CHECK(key.size() == 64);
  CHECK(header(login, "Set-Cookie") ==
        "session_key=" + key + "; HttpOnly; Max-Age=600; Path=/; SameSite=lax");
  std::string cookie = "Cookie: session_key=" + key + "\r\n";
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", cookie).result_int() == 200);
  auto status = client.request("GET", "/session_status", "", cookie);
  CHECK(status.result_int() == 200);
  CHECK(status.body() == R"({"user_id":"7"})");

  // Upstream let any unknown cookie through (§11): a forged one is refused.
  std::string forged = "Cookie: session_key=0123456789abcdef7\r\n";
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", forged).result_int() == 403);
  CHECK(client.request("GET", "/session_status", "", forged).result_int() == 403);
  std::string almost = key;
  almost.back() = almost.back() == '0' ? '1' : '0';
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", "Cookie: session_key=" + almost + "\r\n")
            .result_int() == 403);

  auto logout = client.request("GET", "/session_logout", "", cookie);
  CHECK(logout.result_int() == 307);
  CHECK(header(logout, "Set-Cookie").rfind("session_key=\"\"; expires=", 0) == 0);
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})", cookie).result_int() == 403);
  CHECK(client.request("GET", "/session_logout", "", cookie).result_int() == 403);
}

TEST_CASE("sessions expire on the server after the timeout", "[runtime][auth]") {
  TestServer server(with_sessions(std::chrono::seconds(1)));
  Client client(server.port());
  auto login = client.request("GET", "/session_login", "", basic("alice:wonderland"));
  REQUIRE(login.result_int() == 307);
  std::string cookie = "Cookie: session_key=" + session_cookie(login) + "\r\n";
  CHECK(client.request("GET", "/session_status", "", cookie).result_int() == 200);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    status = client.request("GET", "/session_status", "", cookie).result_int();
  }
  CHECK(status == 403);
}

TEST_CASE("key and sessions together: both are needed", "[runtime][auth]") {
  ServerSettings s = with_sessions();
  s.api_key = Secret("k");
  TestServer server(s);
  Client client(server.port());
  auto login = client.request("GET", "/session_login", "", basic("alice:wonderland"));
  REQUIRE(login.result_int() == 307);
  std::string session = "session_key=" + session_cookie(login);
  auto key_only = client.request("POST", "/v1/Test1?api_key=k", R"({"x":1})");
  CHECK(key_only.result_int() == 403);
  CHECK(key_only.body() == kSessionRefused);
  auto session_only =
      client.request("POST", "/v1/Test1", R"({"x":1})", "Cookie: " + session + "\r\n");
  CHECK(session_only.body() == kKeyRefused);
  CHECK(client.request("POST", "/v1/Test1", R"({"x":1})",
                       "Cookie: " + session + "; api_key=k\r\n")
            .result_int() == 200);
}

}  // namespace
}  // namespace ssf::runtime
