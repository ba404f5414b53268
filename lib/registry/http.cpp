// libcurl adapter. Bodies are always sent through a read callback with CURLOPT_UPLOAD and a known
// size (Content-Length), whatever the method, so that a multi-gigabyte layer streams from disk and
// a request can be sent again from the start. "Expect: 100-continue" is turned off: registries
// answer it, but it costs a round trip per chunk for nothing.

#include "registry/http.h"

#include "core/core.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <mutex>

namespace ssf::registry {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct UrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// State of one transfer, handed to the callbacks.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  // Body source.
  int fd = -1;
  int64_t sent = 0;
  int64_t length = 0;
  bool aborted_by_sink = false;
};

size_t read_body(char* buffer, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t want = std::min<int64_t>(static_cast<int64_t>(size * count), t->length - t->sent);
  if (want == 0) return 0;
  size_t got = 0;
  if (t->fd >= 0) {
    ssize_t n = ::pread(t->fd, buffer, want, t->request->body_offset + t->sent);
    // A file shorter than promised would leave the server waiting for the rest: abort instead.
    if (n <= 0) return CURL_READFUNC_ABORT;
    got = static_cast<size_t>(n);
  } else {
    got = want;
    std::copy_n(t->request->body.data() + t->sent, want, buffer);
  }
  t->sent += static_cast<int64_t>(got);
  t->response->bytes_sent = t->sent;
  if (t->request->on_sent) t->request->on_sent(t->sent);
  return got;
}

int seek_body(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 || offset > t->length) return CURL_SEEKFUNC_FAIL;
  t->sent = offset;
  return CURL_SEEKFUNC_OK;
}

size_t write_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  bool success = t->response->status >= 200 && t->response->status < 300;
  if (t->request->on_data && success) {
    if (!t->request->on_data(data, n)) {
      t->aborted_by_sink = true;
      return 0;
    }
    return n;
  }
  // Error bodies are small JSON documents; cap what is kept of anything else.
  if (t->response->body.size() < (1 << 20)) t->response->body.append(data, n);
  return n;
}

size_t read_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  std::string_view line(data, n);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  if (starts_with(line, "HTTP/")) {
    // A new response (after a 100 Continue or a redirect): forget the previous one's headers.
    t->response->headers.clear();
    auto sp = line.find(' ');
    t->response->status = sp == std::string_view::npos ? 0 : std::atol(std::string(line.substr(sp + 1, 3)).c_str());
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  t->response->headers.emplace_back(std::move(name), std::string(trim(line.substr(colon + 1))));
  return n;
}

bool retryable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_READ_ERROR:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::vector<std::string> HttpResponse::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (k == name) out.push_back(v);
  }
  return out;
}

struct HttpClient::Handle {
  std::unique_ptr<CURL, CurlDeleter> curl;
};

HttpClient::HttpClient(TlsOptions tls) : handle_(std::make_unique<Handle>()), tls_(std::move(tls)) {
  global_init();
  handle_->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::perform(const HttpRequest& request) {
  HttpResponse response;
  CURL* c = handle_->curl.get();
  if (!c) {
    response.transport_error = "cannot initialise libcurl";
    return response;
  }
  curl_easy_reset(c);
  Transfer t;
  t.request = &request;
  t.response = &response;

  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer (under 1 byte/s for stall_timeout s) is abandoned; a slow one is not.
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(tls_.stall_timeout));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, tls_.verify ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, tls_.verify ? 2L : 0L);
  if (!tls_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, tls_.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "gc-ssf");
  if (request.follow_redirects) {
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    // Authorization is not forwarded to another host (libcurl's default, stated for clarity):
    // storage behind a redirect has its own signed URL.
    curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  for (const auto& h : request.headers) add_header(h);
  add_header("Expect:");

  const std::string& m = request.method;
  if (m == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (m == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    if (!request.body_file.empty()) {
      t.fd = ::open(request.body_file.c_str(), O_RDONLY | O_CLOEXEC);
      if (t.fd < 0) {
        response.transport_error = "cannot read " + request.body_file.string();
        return response;
      }
      t.length = request.body_length;
    } else {
      t.length = static_cast<int64_t>(request.body.size());
    }
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m.c_str());
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, &t);
    curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, seek_body);
    curl_easy_setopt(c, CURLOPT_SEEKDATA, &t);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.length));
    // Large uploads: bigger buffers halve the number of read and send calls.
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
  }
  curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());

  CURLcode code = curl_easy_perform(c);
  if (t.fd >= 0) ::close(t.fd);
  if (code != CURLE_OK && !(t.aborted_by_sink && code == CURLE_WRITE_ERROR)) {
    response.status = 0;
    response.transport_error = curl_easy_strerror(code);
    response.transport_retryable = retryable(code);
    response.tls_protocol_error = code == CURLE_SSL_CONNECT_ERROR;
  } else if (t.aborted_by_sink) {
    response.status = 0;
    response.transport_error = "transfer aborted";
  } else {
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    response.status = status;
  }
  return response;
}

std::string resolve_url(const std::string& base, const std::string& location) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return location;
  if (curl_url_set(url.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) return location;
  char* out = nullptr;
  if (curl_url_get(url.get(), CURLUPART_URL, &out, 0) != CURLUE_OK) return location;
  std::string result(out);
  curl_free(out);
  return result;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string add_query(const std::string& url, std::string_view key, std::string_view value) {
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  return fmt::format("{}{}{}={}", url, sep, key, url_encode(value));
}

}  // namespace ssf::registry
