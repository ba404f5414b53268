// The TLS context: loaded and checked once, at start (tls.h).

#include "runtime/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509err.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ssf::runtime {

namespace asio = boost::asio;

namespace {

Error tls_error(std::string_view option, const std::filesystem::path& file, std::string why) {
  return Error(ResultCode::UvicornError,
               std::string(option) + " " + file.string() + ": " + std::move(why));
}

// The reason OpenSSL gives for its last failure, its error queue emptied.
std::string openssl_reason(const boost::system::error_code& ec) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    if (reason) return reason;
  }
  return ec.message();
}

// Opening the file ourselves first gives errno's words ("No such file or directory", "Permission
// denied") instead of OpenSSL's "system lib".
Status check_readable(std::string_view option, const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return tls_error(option, file, std::string("cannot read: ") + std::strerror(errno));
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    return tls_error(option, file, "cannot read: Is a directory");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<asio::ssl::context>> make_tls_context(
    const std::filesystem::path& certificate_file, const std::filesystem::path& key_file) {
  SSF_TRY(check_readable("--ssl-certificate-file", certificate_file));
  SSF_TRY(check_readable("--ssl-key-file", key_file));

  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  // TLS 1.2 and 1.3 only: SSLv3, TLS 1.0 and 1.1 are deprecated (RFC 8996).
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  // No renegotiation (a CPU-exhaustion lever for clients); the server picks the cipher.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);

  // An encrypted key would make OpenSSL ask for its passphrase on the terminal: no prompt, it
  // fails to load instead (and says so).
  context->set_password_callback(
      [](std::size_t, asio::ssl::context::password_purpose) { return std::string(); });

  boost::system::error_code ec;
  context->use_certificate_chain_file(certificate_file.string(), ec);
  if (ec) {
    return tls_error("--ssl-certificate-file", certificate_file,
                     "not a PEM certificate: " + openssl_reason(ec));
  }
  context->use_private_key_file(key_file.string(), asio::ssl::context::pem, ec);
  // OpenSSL compares the key with the certificate as it loads it; Asio has taken the error off
  // OpenSSL's queue and into `ec`.
  auto code = static_cast<unsigned long>(ec.value());
  if (ec && ec.category() == asio::error::get_ssl_category() && ERR_GET_LIB(code) == ERR_LIB_X509 &&
      ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
    ERR_clear_error();
    return tls_error("--ssl-key-file", key_file,
                     "does not match the certificate in " + certificate_file.string());
  }
  if (ec) {
    return tls_error("--ssl-key-file", key_file, "not a PEM private key: " + openssl_reason(ec));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return tls_error("--ssl-key-file", key_file,
                     "does not match the certificate in " + certificate_file.string());
  }
  return context;
}

}  // namespace ssf::runtime
