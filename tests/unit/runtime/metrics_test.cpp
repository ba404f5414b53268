// The Prometheus exposition: the registry on its own (golden text), then as upstream's
// tests/test_prometheus.py sees it through the server.

#include "runtime/metrics.h"

#include <catch2/catch.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "support.h"

namespace ssf::runtime {
namespace {

using namespace test;

// The exposition without the process_* families, with every _created timestamp replaced by T.
std::string ours(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  static const std::regex created(R"(^(\w+_created\{[^}]*\}) \S+$)");
  for (std::string line; std::getline(in, line);) {
    if (line.find("process_") != std::string::npos) continue;
    out += std::regex_replace(line, created, "$1 T") + "\n";
  }
  return out;
}

TEST_CASE("before any request the families are declared and empty", "[runtime][metrics]") {
  Metrics metrics({0.5, 1});
  CHECK(ours(metrics.render()) ==
        "# HELP http_request_duration_seconds Duration of requests in seconds\n"
        "# TYPE http_request_duration_seconds histogram\n"
        "# HELP http_request_size_bytes Content bytes of requests.\n"
        "# TYPE http_request_size_bytes summary\n"
        "# HELP http_response_size_bytes Content bytes of responses.\n"
        "# TYPE http_response_size_bytes summary\n"
        "# HELP ssf_dispatch_latency Duration of request limited to time spent in application.\n"
        "# TYPE ssf_dispatch_latency histogram\n");
}

TEST_CASE("one observation renders as prometheus_client 0.9.0 does", "[runtime][metrics]") {
  Metrics metrics({0.5, 1});
  metrics.observe({"/v1/Test1", 200, 0.25, 7, 20, 0.75});
  metrics.observe({"none", 404, 0.0625, 0, 22, std::nullopt});
  const std::string expected =
      "# HELP http_request_duration_seconds Duration of requests in seconds\n"
      "# TYPE http_request_duration_seconds histogram\n"
      "http_request_duration_seconds_bucket{handler=\"/v1/Test1\",le=\"0.5\",status=\"2xx\"} 1.0\n"
      "http_request_duration_seconds_bucket{handler=\"/v1/Test1\",le=\"1.0\",status=\"2xx\"} 1.0\n"
      "http_request_duration_seconds_bucket{handler=\"/v1/Test1\",le=\"+Inf\",status=\"2xx\"} 1.0\n"
      "http_request_duration_seconds_count{handler=\"/v1/Test1\",status=\"2xx\"} 1.0\n"
      "http_request_duration_seconds_sum{handler=\"/v1/Test1\",status=\"2xx\"} 0.25\n"
      "http_request_duration_seconds_bucket{handler=\"none\",le=\"0.5\",status=\"4xx\"} 1.0\n"
      "http_request_duration_seconds_bucket{handler=\"none\",le=\"1.0\",status=\"4xx\"} 1.0\n"
      "http_request_duration_seconds_bucket{handler=\"none\",le=\"+Inf\",status=\"4xx\"} 1.0\n"
      "http_request_duration_seconds_count{handler=\"none\",status=\"4xx\"} 1.0\n"
      "http_request_duration_seconds_sum{handler=\"none\",status=\"4xx\"} 0.0625\n"
      "# HELP http_request_duration_seconds_created Duration of requests in seconds\n"
      "# TYPE http_request_duration_seconds_created gauge\n"
      "http_request_duration_seconds_created{handler=\"/v1/Test1\",status=\"2xx\"} T\n"
      "http_request_duration_seconds_created{handler=\"none\",status=\"4xx\"} T\n"
      "# HELP http_request_size_bytes Content bytes of requests.\n"
      "# TYPE http_request_size_bytes summary\n"
      "http_request_size_bytes_count{handler=\"/v1/Test1\",status=\"2xx\"} 1.0\n"
      "http_request_size_bytes_sum{handler=\"/v1/Test1\",status=\"2xx\"} 7.0\n"
      "http_request_size_bytes_count{handler=\"none\",status=\"4xx\"} 1.0\n"
      "http_request_size_bytes_sum{handler=\"none\",status=\"4xx\"} 0.0\n"
      "# HELP http_request_size_bytes_created Content bytes of requests.\n"
      "# TYPE http_request_size_bytes_created gauge\n"
      "http_request_size_bytes_created{handler=\"/v1/Test1\",status=\"2xx\"} T\n"
      "http_request_size_bytes_created{handler=\"none\",status=\"4xx\"} T\n"
      "# HELP http_response_size_bytes Content bytes of responses.\n"
      "# TYPE http_response_size_bytes summary\n"
      "http_response_size_bytes_count{handler=\"/v1/Test1\",status=\"2xx\"} 1.0\n"
      "http_response_size_bytes_sum{handler=\"/v1/Test1\",status=\"2xx\"} 20.0\n"
      "http_response_size_bytes_count{handler=\"none\",status=\"4xx\"} 1.0\n"
      "http_response_size_bytes_sum{handler=\"none\",status=\"4xx\"} 22.0\n"
      "# HELP http_response_size_bytes_created Content bytes of responses.\n"
      "# TYPE http_response_size_bytes_created gauge\n"
      "http_response_size_bytes_created{handler=\"/v1/Test1\",status=\"2xx\"} T\n"
      "http_response_size_bytes_created{handler=\"none\",status=\"4xx\"} T\n"
      "# HELP ssf_dispatch_latency Duration of request limited to time spent in application.\n"
      "# TYPE ssf_dispatch_latency histogram\n"
      "ssf_dispatch_latency_bucket{handler=\"/v1/Test1\",le=\"0.5\",status=\"2xx\"} 0.0\n"
      "ssf_dispatch_latency_bucket{handler=\"/v1/Test1\",le=\"1.0\",status=\"2xx\"} 1.0\n"
      "ssf_dispatch_latency_bucket{handler=\"/v1/Test1\",le=\"+Inf\",status=\"2xx\"} 1.0\n"
      "ssf_dispatch_latency_count{handler=\"/v1/Test1\",status=\"2xx\"} 1.0\n"
      "ssf_dispatch_latency_sum{handler=\"/v1/Test1\",status=\"2xx\"} 0.75\n"
      "# HELP ssf_dispatch_latency_created Duration of request limited to time spent in "
      "application.\n"
      "# TYPE ssf_dispatch_latency_created gauge\n"
      "ssf_dispatch_latency_created{handler=\"/v1/Test1\",status=\"2xx\"} T\n";
  CHECK(ours(metrics.render()) == expected);
}

TEST_CASE("label values are escaped as the Python client escapes them", "[runtime][metrics]") {
  Metrics metrics({1});
  metrics.observe({"/a\"b\\c\nd", 500, 0, 0, 0, std::nullopt});
  CHECK(metrics.render().find(
            R"(http_request_size_bytes_count{handler="/a\"b\\c\nd",status="5xx"} 1.0)") !=
        std::string::npos);
}

TEST_CASE("process families come first, as from the default registry", "[runtime][metrics]") {
  std::string text = Metrics({1}).render();
  CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("# HELP process_resident_memory_bytes Resident memory size in bytes.\n") !=
        std::string::npos);
  CHECK(text.find("process_max_fds ") < text.find("http_request_duration_seconds"));
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST_CASE("metrics after one request: upstream's test_metrics_client_starts",
          "[runtime][metrics]") {
  TestServer server;
  auto before = fetch(server.port(), "GET", "/metrics");
  REQUIRE(before.result_int() == 200);
  CHECK(header(before, "Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(before.body().find("/v1/Test1") == std::string::npos);

  REQUIRE(fetch(server.port(), "POST", "/v1/Test1", R"({"x":0})").result_int() == 200);
  // Probes and the metrics path itself are excluded.
  fetch(server.port(), "GET", "/health/ready");
  fetch(server.port(), "GET", "/health/live");

  std::string text = fetch(server.port(), "GET", "/metrics").body();
  CHECK(has_line(text, R"(ssf_dispatch_latency_count{handler="/v1/Test1",status="2xx"} 1.0)"));
  CHECK(has_line(text, R"(ssf_dispatch_latency_sum{handler="/v1/Test1",status="2xx"} 0.25)"));
  CHECK(has_line(text,
                 R"(http_request_duration_seconds_count{handler="/v1/Test1",status="2xx"} 1.0)"));
  CHECK(has_line(
      text,
      R"(http_request_duration_seconds_bucket{handler="/v1/Test1",le="+Inf",status="2xx"} 1.0)"));
  CHECK(has_line(text, R"(http_request_size_bytes_count{handler="/v1/Test1",status="2xx"} 1.0)"));
  CHECK(has_line(text, R"(http_request_size_bytes_sum{handler="/v1/Test1",status="2xx"} 7.0)"));
  CHECK(has_line(text, R"(http_response_size_bytes_count{handler="/v1/Test1",status="2xx"} 1.0)"));
  CHECK(text.find("/health") == std::string::npos);
  CHECK(text.find("handler=\"/metrics\"") == std::string::npos);
  // The instrumentator's default metrics are not there (see metrics.h).
  CHECK(text.find("http_requests_total") == std::string::npos);
  CHECK(text.find("highr") == std::string::npos);
  CHECK(text.find("method=") == std::string::npos);
}

TEST_CASE("unknown paths are counted under handler none", "[runtime][metrics]") {
  TestServer server;
  fetch(server.port(), "GET", "/nowhere");
  std::string text = fetch(server.port(), "GET", "/metrics").body();
  CHECK(has_line(text, R"(http_request_duration_seconds_count{handler="none",status="4xx"} 1.0)"));
}

TEST_CASE("custom buckets are the only le values: test_metrics_client_custom_buckets",
          "[runtime][metrics]") {
  auto settings = test_settings();
  settings.prometheus_buckets = {0.75, 1.5};
  TestServer server(settings);
  fetch(server.port(), "POST", "/v1/Test1", R"({"x":0})");
  std::string text = fetch(server.port(), "GET", "/metrics").body();
  std::set<std::string> les;
  static const std::regex le(R"(le="([0-9.]*)\")");
  for (std::sregex_iterator it(text.begin(), text.end(), le), end; it != end; ++it) {
    les.insert((*it)[1]);
  }
  CHECK(les == std::set<std::string>{"0.75", "1.5"});
}

TEST_CASE("disabled metrics answer 404 and keep the latency header", "[runtime][metrics]") {
  auto settings = test_settings();
  settings.prometheus_disabled = true;
  TestServer server(settings);
  auto metrics = fetch(server.port(), "GET", "/metrics");
  CHECK(metrics.result_int() == 404);
  auto response = fetch(server.port(), "POST", "/v1/Test1", R"({"x":0})");
  CHECK(response.result_int() == 200);
  CHECK_FALSE(header(response, "metrics-request-latency").empty());
}

TEST_CASE("a custom metrics endpoint replaces /metrics", "[runtime][metrics]") {
  auto settings = ServerSettings::from_options([] {
                    config::Options o;
                    o.prometheus_endpoint = "metrics_test";
                    return o;
                  }())
                      .value();
  CHECK(settings.prometheus_endpoint == "/metrics_test");
  settings.host = "127.0.0.1";
  settings.port = 0;
  settings.handle_signals = false;
  TestServer server(settings);
  CHECK(fetch(server.port(), "GET", "/metrics").result_int() == 404);
  CHECK(fetch(server.port(), "GET", "/metrics_test").result_int() == 200);
}

TEST_CASE("metrics on their own port, on any path", "[runtime][metrics]") {
  auto settings = test_settings();
  settings.prometheus_port = 0;
  TestServer server(settings);
  REQUIRE(server.server().metrics_port() != 0);
  CHECK(server.server().metrics_port() != server.port());
  CHECK(fetch(server.port(), "GET", "/metrics").result_int() == 404);
  fetch(server.port(), "POST", "/v1/Test1", R"({"x":0})");
  auto response = fetch(server.server().metrics_port(), "GET", "/metrics");
  CHECK(response.result_int() == 200);
  CHECK(has_line(response.body(),
                 R"(ssf_dispatch_latency_count{handler="/v1/Test1",status="2xx"} 1.0)"));
  CHECK(fetch(server.server().metrics_port(), "GET", "/anything").result_int() == 200);
}

TEST_CASE("a prometheus port must be a port number", "[runtime][metrics]") {
  config::Options o;
  o.prometheus_port = "81x";
  auto settings = ServerSettings::from_options(o);
  REQUIRE_FALSE(settings);
  CHECK(settings.error().code() == ResultCode::ArgumentError);
  CHECK(settings.error().message() == "--prometheus-port: '81x' is not a port number");
  o.prometheus_port = "8183";
  CHECK(ServerSettings::from_options(o)->prometheus_port == 8183);
}

}  // namespace
}  // namespace ssf::runtime
