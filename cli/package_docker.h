#pragma once
// `package`'s use of a local Docker daemon, when there is one: loading the image under its tag
// (so that `test` finds it, as upstream's does) and the docker builder for package.docker.run.

#include <filesystem>
#include <functional>
#include <string>

#include "core/core.h"

namespace ssf::cli::package {

// Whether `docker` reaches a daemon ($DOCKER_HOST, else /var/run/docker.sock). Cheap when there
// is no socket: the docker client is not started then.
bool docker_daemon_reachable();

// `docker load -i archive`. Errors: PackagingError (36) with docker's output.
Status docker_load(const std::filesystem::path& archive);

// The docker builder: extracts `bundle` (a build context with its Dockerfile) into a temporary
// directory, runs `base_loader` first when it is set (it puts the base into the daemon under the
// name the Dockerfile uses), then `docker build -t tag`, then `docker save tag -o saved`.
// Errors: PackagingError (36) with the failing step and docker's last lines.
Status docker_build(const std::filesystem::path& bundle, const std::string& tag,
                    const std::function<Status()>& base_loader,
                    const std::filesystem::path& saved);

}  // namespace ssf::cli::package
