#pragma once
// The HTTP transport: one libcurl easy handle per HttpClient, used by one thread at a time (each
// transfer thread owns one, so that connections are kept alive and reused). Internal to the module;
// libcurl is called from http.cpp only.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ssf::registry {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent unless body_file is set
  // A body streamed from `body_file`, bytes [body_offset, body_offset + body_length).
  std::filesystem::path body_file;
  int64_t body_offset = 0;
  int64_t body_length = 0;
  // When set, the response body goes here instead of HttpResponse::body (only for 2xx answers,
  // so that an error body can still be read); returning false aborts the transfer.
  std::function<bool(const char* data, size_t size)> on_data;
  // Bytes of the body sent so far.
  std::function<void(int64_t sent)> on_sent;
  bool follow_redirects = false;  // blob GETs: registries redirect to their storage
};

struct HttpResponse {
  long status = 0;  // 0: no answer (transport_error says why)
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased, in order
  std::string body;
  std::string transport_error;      // curl's message, when status == 0
  bool transport_retryable = false;  // a connection error worth another attempt
  bool tls_protocol_error = false;   // the server does not speak TLS (plain HTTP on the port)
  int64_t bytes_sent = 0;

  // The first header of that (lowercase) name, or "".
  std::string header(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
};

struct TlsOptions {
  std::filesystem::path ca_file;  // empty: the system's trust store
  bool verify = true;             // false only for hosts named with --insecure-registry
  int stall_timeout = 60;         // seconds under 1 byte/s before a transfer is abandoned
};

class HttpClient {
 public:
  explicit HttpClient(TlsOptions tls);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs one request. Never throws; a transport failure gives status 0.
  HttpResponse perform(const HttpRequest& request);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
  TlsOptions tls_;
};

// `location` (absolute or relative, as a Location header gives it) resolved against `base`.
std::string resolve_url(const std::string& base, const std::string& location);
// `url` with `key=value` appended to its query (value URL-encoded).
std::string add_query(const std::string& url, std::string_view key, std::string_view value);
std::string url_encode(std::string_view text);

}  // namespace ssf::registry
