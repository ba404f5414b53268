// Connections: keep-alive, pipelining, limits and deadlines.

#include <catch2/catch.hpp>

#include "support.h"

namespace ssf::runtime {
namespace {

using namespace test;

TEST_CASE("keep-alive: several requests on one connection", "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto response = client.request("POST", "/v1/Test1", "{\"x\":" + std::to_string(i) + "}");
    CHECK(response.result_int() == 200);
    CHECK(response.keep_alive());
  }
  CHECK(client.request("GET", "/").body() == R"({"message":"OK"})");
}

TEST_CASE("pipelining: answers come in request order", "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  // The first takes 300 ms, the second is immediate: the second still waits its turn.
  client.send(Client::raw("POST", "/v1/Test1", R"({"x":1300})") + Client::raw("GET", "/") +
              Client::raw("POST", "/v1/Test1", R"({"x":2})"));
  auto first = client.read();
  auto second = client.read();
  auto third = client.read();
  CHECK(first.body() == R"({"echo":"{\"x\":1300}"})");
  CHECK(second.body() == R"({"message":"OK"})");
  CHECK(third.body() == R"({"echo":"{\"x\":2}"})");
}

TEST_CASE("a long pipeline pauses reading and still answers everything in order",
          "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  std::string burst;
  for (int i = 0; i < 40; ++i) {
    burst += i % 2 ? Client::raw("GET", "/")
                   : Client::raw("POST", "/v1/Test1", "{\"x\":" + std::to_string(i) + "}");
  }
  client.send(burst);
  for (int i = 0; i < 40; ++i) {
    CAPTURE(i);
    auto response = client.read();
    if (i % 2) {
      CHECK(response.body() == R"({"message":"OK"})");
    } else {
      CHECK(response.body() == "{\"echo\":\"{\\\"x\\\":" + std::to_string(i) + "}\"}");
    }
  }
}

TEST_CASE("Connection: close is honoured after the answer", "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  auto response = client.request("GET", "/", "", "Connection: close\r\n");
  CHECK(response.result_int() == 200);
  CHECK_FALSE(response.keep_alive());
  CHECK(client.closed_by_server());
}

TEST_CASE("a body over the limit is refused with 413 before it is read", "[runtime][session]") {
  auto settings = test_settings();
  settings.max_request_size = 1024;
  TestServer server(settings);
  Client client(server.port());
  client.send(
      "POST /v1/Test1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 2048\r\n\r\n");
  auto response = client.read();
  CHECK(response.result_int() == 413);
  CHECK(response.body() == R"({"detail":"Request Entity Too Large"})");
  CHECK_FALSE(response.keep_alive());
  CHECK_FALSE(header(response, "metrics-request-latency").empty());

  // Within the limit is fine.
  std::string body = R"({"x":1})" + std::string(1000, ' ');
  CHECK(fetch(server.port(), "POST", "/v1/Test1", body).result_int() == 200);
}

TEST_CASE("a chunked body over the limit is a 413 too", "[runtime][session]") {
  auto settings = test_settings();
  settings.max_request_size = 64;
  TestServer server(settings);
  Client client(server.port());
  std::string chunk(100, ' ');
  client.send("POST /v1/Test1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" +
              chunk + "\r\n0\r\n\r\n");
  CHECK(client.read().result_int() == 413);
}

TEST_CASE("a malformed request gets a 400 and the connection closes", "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  client.send("NOT HTTP AT ALL\r\n\r\n");
  auto response = client.read();
  CHECK(response.result_int() == 400);
  CHECK(response.body() == "Invalid HTTP request received.");
  CHECK(client.closed_by_server());
}

TEST_CASE("a client stalling in its header holds up nobody and is dropped", "[runtime][session]") {
  auto settings = test_settings();
  settings.header_timeout = 300ms;
  TestServer server(settings);
  Client stalled(server.port());
  stalled.send("GET / HTTP/1.1\r\nHost: x\r\nX-Half: ");
  auto started = std::chrono::steady_clock::now();
  auto response = fetch(server.port(), "GET", "/health/startup");
  CHECK(response.result_int() == 200);
  CHECK(std::chrono::steady_clock::now() - started < 250ms);
  CHECK(stalled.closed_by_server());
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("an idle keep-alive connection is closed after idle_timeout", "[runtime][session]") {
  auto settings = test_settings();
  settings.idle_timeout = 200ms;
  TestServer server(settings);
  Client client(server.port());
  CHECK(client.request("GET", "/").result_int() == 200);
  auto started = std::chrono::steady_clock::now();
  CHECK(client.closed_by_server());
  auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= 150ms);
  CHECK(waited < 5s);
}

TEST_CASE("a slow answer is not cut by the idle deadline", "[runtime][session]") {
  auto settings = test_settings();
  settings.idle_timeout = 200ms;
  TestServer server(settings);
  Client client(server.port());
  auto response = client.request("POST", "/v1/Test1", R"({"x":1500})");
  CHECK(response.result_int() == 200);
}

TEST_CASE("Expect: 100-continue gets its interim answer", "[runtime][session]") {
  TestServer server;
  Client client(server.port());
  client.send(
      "POST /v1/Test1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.read();
  CHECK(interim.result_int() == 100);
  client.send(R"({"x":5})");
  auto response = client.read();
  CHECK(response.result_int() == 200);
  CHECK(response.body() == R"({"echo":"{\"x\":5}"})");
}

TEST_CASE("many connections at once", "[runtime][session]") {
  auto settings = test_settings();
  settings.io_threads = 2;
  TestServer server(settings);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 20; ++i) {
    clients.push_back(std::make_unique<Client>(server.port()));
    clients.back()->send(Client::raw("POST", "/v1/Test1", "{\"x\":" + std::to_string(i) + "}"));
  }
  for (int i = 0; i < 20; ++i) {
    auto response = clients[i]->read();
    CHECK(response.body() == "{\"echo\":\"{\\\"x\\\":" + std::to_string(i) + "}\"}");
  }
}

}  // namespace
}  // namespace ssf::runtime
