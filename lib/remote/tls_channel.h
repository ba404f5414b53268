#pragma once
// Internal to remote: a TLS client session carried by an open SSH channel (a port forward), for
// probing servers that speak only HTTPS. OpenSSL runs on memory BIOs; this file moves the bytes
// between them and the channel.

#include <libssh/libssh.h>

#include <chrono>
#include <string>
#include <string_view>

#include "core/core.h"

namespace ssf::remote {

// Handshakes (TLS 1.2 or later, no certificate verification: see Runner::exchange), writes
// `request`, and returns the plaintext read until the server closes or `deadline` passes.
// `what` names the peer in errors ("127.0.0.1:8100 from root@edge1").
// Errors: SshError for a failed handshake, a broken channel or the deadline.
Result<std::string> tls_exchange(ssh_channel channel, std::string_view request,
                                 std::chrono::steady_clock::time_point deadline,
                                 std::string_view what);

}  // namespace ssf::remote
