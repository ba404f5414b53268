#pragma once
// How the command line reaches a registry: credentials and trust, from the options and the
// environment. Shared by the commands that push or pull (publish; deploy's pulls later).

#include <string_view>

#include "config/config.h"
#include "core/core.h"
#include "registry/registry.h"

namespace ssf::cli {

// ClientOptions for `registry` ("host[:port]"). Credentials, first found:
//   --docker-username with --docker-password, or the password on stdin (--docker-password-stdin),
//   or in $SSF_DOCKER_PASSWORD (so that it need not be on a command line);
//   $SSF_DOCKER_USERNAME with $SSF_DOCKER_PASSWORD ($SSF_DOCKER_PASSWORD alone is ignored);
//   else none here: registry::find_credentials reads ~/.docker/config.json, else anonymous.
// Every password found is registered as a secret (redacted from every log line).
// Errors: ArgumentError for a user name without a password or the reverse.
Result<registry::ClientOptions> registry_client_options(const config::Options& options,
                                                        std::string_view registry);

}  // namespace ssf::cli
