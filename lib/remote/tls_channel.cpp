#include "remote/tls_channel.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <memory>

namespace ssf::remote {

namespace {

struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

Error tls_error(std::string_view what, std::string_view step) {
  unsigned long code = ERR_get_error();
  char reason[256] = "no detail";
  if (code != 0) ERR_error_string_n(code, reason, sizeof reason);
  ERR_clear_error();
  return Error(ResultCode::SshError, fmt::format("TLS to {}: {}: {}", what, step, reason));
}

}  // namespace

Result<std::string> tls_exchange(ssh_channel channel, std::string_view request,
                                 std::chrono::steady_clock::time_point deadline,
                                 std::string_view what) {
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return tls_error(what, "no context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx.get()));
  if (!ssl) return tls_error(what, "no session");
  BIO* network_in = BIO_new(BIO_s_mem());           // channel -> OpenSSL
  BIO* network_out = BIO_new(BIO_s_mem());          // OpenSSL -> channel
  SSL_set_bio(ssl.get(), network_in, network_out);  // owned by the SSL from here
  SSL_set_connect_state(ssl.get());

  std::string response;
  size_t written = 0;
  char buffer[16384];
  bool channel_done = false;
  while (true) {
    // Let OpenSSL go as far as it can: handshake, then the request, then the response.
    bool finished = false;
    if (written < request.size()) {
      int n = SSL_write(ssl.get(), request.data() + written,
                        static_cast<int>(request.size() - written));
      if (n > 0) {
        written += static_cast<size_t>(n);
      } else if (int e = SSL_get_error(ssl.get(), n);
                 e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
        return tls_error(what, "handshake");
      }
    } else {
      while (true) {
        int n = SSL_read(ssl.get(), buffer, sizeof buffer);
        if (n > 0) {
          response.append(buffer, static_cast<size_t>(n));
          continue;
        }
        int e = SSL_get_error(ssl.get(), n);
        if (e == SSL_ERROR_ZERO_RETURN)
          finished = true;  // close_notify
        else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
          // The server closed the connection without close_notify: what it sent is the answer.
          if (channel_done && !response.empty())
            finished = true;
          else
            return tls_error(what, "read");
        }
        break;
      }
    }
    // Whatever OpenSSL produced goes to the channel.
    while (true) {
      int n = BIO_read(network_out, buffer, sizeof buffer);
      if (n <= 0) break;
      for (int sent = 0; sent < n;) {
        int w = ssh_channel_write(channel, buffer + sent, static_cast<uint32_t>(n - sent));
        if (w == SSH_ERROR)
          return Error(ResultCode::SshError,
                       fmt::format("TLS to {}: the forwarded connection broke off", what));
        sent += w;
      }
    }
    if (finished) return response;
    if (channel_done) {
      if (!response.empty()) return response;
      return Error(ResultCode::SshError,
                   fmt::format("TLS to {}: closed during the handshake", what));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return Error(ResultCode::SshError, fmt::format("TLS to {}: no answer in time", what));
    }
    // Then what the server sent, waiting at most 100 ms for it.
    int n = ssh_channel_read_timeout(channel, buffer, sizeof buffer, 0, 100);
    if (n == SSH_ERROR) {
      return Error(ResultCode::SshError,
                   fmt::format("TLS to {}: the forwarded connection broke off", what));
    }
    if (n > 0) BIO_write(network_in, buffer, n);
    if (n == 0 && (ssh_channel_is_eof(channel) || ssh_channel_is_closed(channel))) {
      channel_done = true;
    }
  }
}

}  // namespace ssf::remote
