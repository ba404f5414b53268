// Routes, probes and endpoint answers, byte for byte as upstream's FastAPI server gives them.

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <future>
#include <vector>

#include "support.h"

namespace ssf::runtime {
namespace {

using namespace test;

TEST_CASE("root and health probes", "[runtime][server]") {
  TestServer server;
  struct Case {
    const char* target;
    unsigned status;
    const char* body;
  };
  const Case cases[] = {
      {"/", 200, R"({"message":"OK"})"},
      {"/health/startup", 200, R"({"message":"Startup check succeeded."})"},
      {"/health/ready", 200, R"({"message":"Readiness check succeeded."})"},
      {"/health/live", 200, R"({"message":"Liveness check succeeded."})"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.target);
    auto response = fetch(server.port(), "GET", c.target);
    CHECK(response.result_int() == c.status);
    CHECK(response.body() == c.body);
    CHECK(header(response, "Content-Type") == "application/json");
    CHECK(header(response, "Content-Length") == std::to_string(response.body().size()));
    CHECK_FALSE(header(response, "metrics-request-latency").empty());
  }
}

TEST_CASE("not found, method not allowed, trailing slash", "[runtime][server]") {
  TestServer server;
  auto missing = fetch(server.port(), "GET", "/v2/Test1");
  CHECK(missing.result_int() == 404);
  CHECK(missing.body() == R"({"detail":"Not Found"})");
  CHECK_FALSE(header(missing, "metrics-request-latency").empty());

  auto wrong = fetch(server.port(), "GET", "/v1/Test1");
  CHECK(wrong.result_int() == 405);
  CHECK(wrong.body() == R"({"detail":"Method Not Allowed"})");
  CHECK(header(wrong, "Allow") == "POST");
  auto post_root = fetch(server.port(), "POST", "/", "{}");
  CHECK(post_root.result_int() == 405);
  CHECK(header(post_root, "Allow") == "GET, HEAD");

  // Starlette's redirect_slashes: 1.0.0 clients asked for /health/ready/.
  auto slash = fetch(server.port(), "GET", "/health/ready/?a=1");
  CHECK(slash.result_int() == 307);
  CHECK(header(slash, "Location") == "http://127.0.0.1/health/ready?a=1");
}

TEST_CASE("HEAD answers like GET without a body", "[runtime][server]") {
  TestServer server;
  Client client(server.port());
  client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto head = client.read_head();
  CHECK(head.result_int() == 200);
  CHECK(header(head, "Content-Length") == "16");
  // The same connection goes on: nothing was left over after the header.
  auto get = client.request("GET", "/");
  CHECK(get.body() == R"({"message":"OK"})");
}

TEST_CASE("an endpoint answers with the app's outputs and the dispatch latency",
          "[runtime][server]") {
  TestServer server;
  auto response = fetch(server.port(), "POST", "/v1/Test1", R"({"x": 12})");
  CHECK(response.result_int() == 200);
  CHECK(response.body() == R"({"echo":"{\"x\":12}"})");
  CHECK(header(response, "Content-Type") == "application/json");
  CHECK(header(response, "metrics-dispatch-latency") == "0.25");
  CHECK_FALSE(header(response, "metrics-request-latency").empty());
}

TEST_CASE("uploads are removed once the app has answered", "[runtime][server]") {
  TestServer server;
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nhello\r\n--XyZ--\r\n";
  Client client(server.port());
  auto response = client.request("POST", "/v1/Upload", body,
                                 "Content-Type: multipart/form-data; boundary=XyZ\r\n");
  REQUIRE(response.result_int() == 200);
  // {"echo":"{\"file\":\"/tmp/simple-test_....txt\"}"}: the app saw a path to the upload.
  const std::string& text = response.body();
  auto start = text.find("/");
  auto end = text.find(".txt", start);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::string path = text.substr(start, end + 4 - start);
  CHECK(path.find("simple-test_") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("invalid inputs get FastAPI's 422 body", "[runtime][server]") {
  TestServer server;
  auto response = fetch(server.port(), "POST", "/v1/Test1", "{}");
  CHECK(response.result_int() == 422);
  CHECK(response.body().find("field required") != std::string::npos);
  CHECK(header(response, "Content-Type") == "application/json");
}

TEST_CASE("an application failure is a 400", "[runtime][server]") {
  TestServer server;
  auto response = fetch(server.port(), "POST", "/v1/Test1", R"({"x":-1})");
  CHECK(response.result_int() == 400);
  CHECK(response.body() == R"({"detail":"There was an error processing inputs"})");
}

TEST_CASE("a full queue answers 503 with Retry-After", "[runtime][server]") {
  auto d = test_dispatch();
  d.max_queue = 1;
  d.pipeline_depth = 1;
  TestServer server(test_settings(), d);
  // One request runs (500 ms), one waits in the queue, the rest find it full.
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    clients.back()->send(Client::raw("POST", "/v1/Test1", R"({"x":1500})"));
    std::this_thread::sleep_for(20ms);
  }
  int ok = 0, busy = 0;
  for (auto& client : clients) {
    auto response = client->read();
    if (response.result_int() == 200) ++ok;
    if (response.result_int() == 503) {
      ++busy;
      CHECK(response.body() == R"({"detail":"Server busy"})");
      CHECK(header(response, "Retry-After") == "1");
    }
  }
  CHECK(ok == 2);
  CHECK(busy == 2);
}

TEST_CASE("a request no replica takes in time is a 504", "[runtime][server]") {
  auto settings = test_settings();
  settings.request_timeout = 200ms;
  auto d = test_dispatch();
  d.pipeline_depth = 1;
  TestServer server(settings, d);
  Client slow(server.port());
  slow.send(Client::raw("POST", "/v1/Test1", R"({"x":1600})"));
  std::this_thread::sleep_for(50ms);
  auto started = std::chrono::steady_clock::now();
  auto late = fetch(server.port(), "POST", "/v1/Test1", R"({"x":1})");
  CHECK(late.result_int() == 504);
  CHECK(late.body() == R"({"detail":"Request timed out"})");
  CHECK(std::chrono::steady_clock::now() - started < 1500ms);
}

TEST_CASE("requests after stop are refused while in-flight ones finish", "[runtime][server]") {
  TestServer server;
  Client keep(server.port());
  REQUIRE(keep.request("GET", "/health/ready").result_int() == 200);
  Client slow(server.port());
  slow.send(Client::raw("POST", "/v1/Test1", R"({"x":1400})"));
  std::this_thread::sleep_for(100ms);
  server.server().stop();
  // Not ready first, on a connection that was already open ...
  auto ready = keep.request("GET", "/health/ready");
  CHECK(ready.result_int() == 503);
  CHECK(ready.body() == R"({"message":"Readiness check failed."})");
  // ... new work is refused, and the request in flight still gets its answer.
  auto refused = keep.request("POST", "/v1/Test1", R"({"x":1})");
  CHECK(refused.result_int() == 503);
  CHECK(refused.body() == R"({"detail":"Service unavailable"})");
  auto answer = slow.read();
  CHECK(answer.result_int() == 200);
  CHECK(answer.body() == R"({"echo":"{\"x\":1400}"})");
  CHECK(server.wait_stopped(10s));
  CHECK(keep.closed_by_server());
}

TEST_CASE("SIGTERM stops a server that owns the signals", "[runtime][server]") {
  auto settings = test_settings();
  settings.handle_signals = true;
  TestServer server(settings);
  // Serving proves run() has registered its signal_set.
  REQUIRE(fetch(server.port(), "GET", "/").result_int() == 200);
  std::raise(SIGTERM);
  CHECK(server.wait_stopped(10s));
}

TEST_CASE("stop before run returns at once from run", "[runtime][server]") {
  log::init({"", log::Level::Debug, log::Level::Critical, false});
  auto config = test_config();
  dispatch::Dispatcher dispatcher(test_dispatch(), nullptr, nullptr);
  auto server = Server::create(config, test_settings(), dispatcher);
  REQUIRE(server);
  (*server)->stop();
  auto done = std::async(std::launch::async, [&] { (*server)->run(); });
  CHECK(done.wait_for(10s) == std::future_status::ready);
}

TEST_CASE("a port in use is UvicornError with the reason", "[runtime][server]") {
  TestServer first;
  auto config = test_config();
  dispatch::Dispatcher dispatcher(test_dispatch(), nullptr, nullptr);
  auto settings = test_settings();
  settings.port = first.port();
  auto second = Server::create(config, settings, dispatcher);
  REQUIRE_FALSE(second);
  CHECK(second.error().code() == ResultCode::UvicornError);
  CHECK(second.error().message() ==
        "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": Address already in use");
}

TEST_CASE("settings from the options", "[runtime][server]") {
  config::Options o;
  o.host = "127.0.0.2";
  o.port = 8200;
  o.fastapi_replicate_server = 3;
  o.prometheus_buckets = {2, 0.5, 1, 1};
  auto s = ServerSettings::from_options(o);
  REQUIRE(s);
  CHECK(s->host == "127.0.0.2");
  CHECK(s->port == 8200);
  CHECK(s->io_threads == 3);
  CHECK(s->prometheus_buckets == std::vector<double>{0.5, 1, 2});
  CHECK(s->prometheus_endpoint == "/metrics");
  CHECK_FALSE(s->prometheus_port);
  CHECK(s->handle_signals);

  o.max_request_size = 2;
  o.request_timeout = 1.5;
  CHECK(ServerSettings::from_options(o)->max_request_size == 2 * 1024 * 1024);
  CHECK(ServerSettings::from_options(o)->request_timeout == 1500ms);
  o.request_timeout = 0;
  CHECK(ServerSettings::from_options(o).error().code() == ResultCode::ArgumentError);
  o.request_timeout = 1;
  o.port = 70000;
  CHECK(ServerSettings::from_options(o).error().message() == "--port: 70000 is not a port number");
}

}  // namespace
}  // namespace ssf::runtime
