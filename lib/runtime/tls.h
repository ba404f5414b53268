#pragma once
// Internal to runtime: the TLS server context of --enable-ssl (OpenSSL through Asio).

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>

#include "core/core.h"

namespace ssf::runtime {

// A server context with TLS 1.2 and 1.3 only, the certificate chain and private key loaded from
// PEM files and checked against each other, so that a bad file stops the server at start, not
// at its first client. Errors: UvicornError (128, upstream's code for a server that cannot
// start), naming the option, the file and the reason, e.g.
//   "--ssl-certificate-file /srv/cert.pem: cannot read: No such file or directory"
//   "--ssl-key-file key.pem: does not match the certificate in cert.pem".
Result<std::unique_ptr<boost::asio::ssl::context>> make_tls_context(
    const std::filesystem::path& certificate_file, const std::filesystem::path& key_file);

}  // namespace ssf::runtime
