// CORS as Starlette's CORSMiddleware answers it (ssf-behaviour.md §5.8), with upstream's options.

#include <catch2/catch.hpp>

#include "support.h"

namespace ssf::runtime {
namespace {

using namespace test;

ServerSettings with_cors(std::string regex = CorsSettings().allow_origin_regex) {
  ServerSettings s = test_settings();
  s.cors.enabled = true;
  s.cors.allow_origin_regex = std::move(regex);
  return s;
}

Response post_from(uint16_t port, const std::string& origin) {
  Client client(port);
  return client.request("POST", "/v1/Test1", R"({"x":1})", "Origin: " + origin + "\r\n");
}

TEST_CASE("no CORS headers when the middleware is off", "[runtime][cors]") {
  TestServer server;
  auto r = post_from(server.port(), "http://localhost");
  CHECK(r.result_int() == 200);
  CHECK(header(r, "Access-Control-Allow-Origin").empty());
  Client client(server.port());
  auto preflight = client.request("OPTIONS", "/v1/Test1", "",
                                  "Origin: http://localhost\r\n"
                                  "Access-Control-Request-Method: POST\r\n");
  CHECK(preflight.result_int() == 405);
}

TEST_CASE("the default origin regex: localhost and 127.0.0.1, http or https, any port",
          "[runtime][cors]") {
  TestServer server(with_cors());
  for (const char* origin : {"http://localhost", "http://127.0.0.1", "https://localhost",
                             "https://127.0.0.1", "http://localhost:8100", "http://localhost:8101"}) {
    CAPTURE(origin);
    auto r = post_from(server.port(), origin);
    CHECK(r.result_int() == 200);
    CHECK(header(r, "Access-Control-Allow-Origin") == origin);
    CHECK(header(r, "Access-Control-Allow-Credentials") == "true");
    CHECK(header(r, "Vary") == "Origin");
  }
  for (const char* origin : {"https://bogus", "http://localhost.evil.com", "http://evil/localhost"}) {
    CAPTURE(origin);
    auto r = post_from(server.port(), origin);
    CHECK(r.result_int() == 200);
    CHECK(header(r, "Access-Control-Allow-Origin").empty());
  }
  // Without an Origin the request is not a CORS one.
  auto plain = fetch(server.port(), "POST", "/v1/Test1", R"({"x":1})");
  CHECK(header(plain, "Access-Control-Allow-Credentials").empty());
}

TEST_CASE("preflights are answered as Starlette does", "[runtime][cors]") {
  TestServer server(with_cors());
  Client client(server.port());
  auto ok = client.request("OPTIONS", "/v1/Test1", "",
                           "Origin: http://localhost:3000\r\n"
                           "Access-Control-Request-Method: POST\r\n"
                           "Access-Control-Request-Headers: content-type, api_key\r\n");
  CHECK(ok.result_int() == 200);
  CHECK(ok.body() == "OK");
  CHECK(header(ok, "Access-Control-Allow-Origin") == "http://localhost:3000");
  CHECK(header(ok, "Access-Control-Allow-Methods") ==
        "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
  CHECK(header(ok, "Access-Control-Allow-Headers") == "content-type, api_key");
  CHECK(header(ok, "Access-Control-Max-Age") == "600");
  CHECK(header(ok, "Access-Control-Allow-Credentials") == "true");
  CHECK(header(ok, "Vary") == "Origin");

  auto bad = client.request("OPTIONS", "/v1/Test1", "",
                            "Origin: https://bogus\r\n"
                            "Access-Control-Request-Method: POST\r\n");
  CHECK(bad.result_int() == 400);
  CHECK(bad.body() == "Disallowed CORS origin");
  CHECK(header(bad, "Access-Control-Allow-Origin").empty());
}

TEST_CASE("restricted methods and headers fail preflights by name", "[runtime][cors]") {
  ServerSettings s = with_cors();
  s.cors.allow_methods = {"GET", "POST"};
  s.cors.allow_headers = {"X-Custom"};
  TestServer server(s);
  Client client(server.port());
  auto bad = client.request("OPTIONS", "/v1/Test1", "",
                            "Origin: https://bogus\r\n"
                            "Access-Control-Request-Method: DELETE\r\n"
                            "Access-Control-Request-Headers: x-other\r\n");
  CHECK(bad.result_int() == 400);
  CHECK(bad.body() == "Disallowed CORS origin, method, headers");
  CHECK(header(bad, "Access-Control-Allow-Headers") ==
        "Accept, Accept-Language, Content-Language, Content-Type, X-Custom");
  auto ok = client.request("OPTIONS", "/v1/Test1", "",
                           "Origin: http://localhost\r\n"
                           "Access-Control-Request-Method: GET\r\n"
                           "Access-Control-Request-Headers: X-Custom, content-type\r\n");
  CHECK(ok.result_int() == 200);
}

TEST_CASE("a custom origin regex replaces the default", "[runtime][cors]") {
  TestServer server(with_cors("http://custom.origin.com"));
  CHECK(header(post_from(server.port(), "http://custom.origin.com"),
               "Access-Control-Allow-Origin") == "http://custom.origin.com");
  CHECK(header(post_from(server.port(), "http://localhost"), "Access-Control-Allow-Origin")
            .empty());
}

TEST_CASE("a CORS regex that does not compile stops the server at start", "[runtime][cors]") {
  log::init({"", log::Level::Debug, log::Level::Critical, false});
  dispatch::Dispatcher dispatcher(test_dispatch(), [](int, apphost::WorkerEvents) {
    return Result<std::unique_ptr<apphost::Worker>>(Error(ResultCode::InternalError, "unused"));
  }, [](int) {});
  config::Config config = test_config();
  auto server = Server::create(config, with_cors("(unclosed"), dispatcher);
  REQUIRE_FALSE(server.has_value());
  CHECK(server.error().code() == ResultCode::ArgumentError);
  CHECK(server.error().message().rfind("--cors-allow-origin-regex: '(unclosed' is not a regular "
                                       "expression", 0) == 0);
}

}  // namespace
}  // namespace ssf::runtime
