#pragma once
// `test`'s container: the packaged image run by the local Docker daemon through the docker CLI,
// as upstream's ssf/docker.py does (ssf-behaviour.md §9). Internal to cli.

#include <string>

#include "core/core.h"

namespace ssf::cli::container {

enum class State { Absent, Running, Stopped, Unknown };

// `docker container inspect -f {{.State.Running}} <name>`: Absent when docker knows no such
// container, Unknown when docker itself cannot be run or answers something else.
State state(const std::string& name);

// Starts `image` as container `name` on the host network:
//   docker run -d --network host --env SSF_OPTIONS --name <name> <image>
// (`gc-docker -- -d --env SSF_OPTIONS ...` without --network host when ipus > 0). SSF_OPTIONS
// holds the API key, so it travels in docker's environment, never on its command line, unlike
// upstream's. Errors: DockerStatusError (8) "docker run for <name> <image> errored (...)".
Status start(const std::string& name, const std::string& image, const std::string& ssf_options,
             int ipus);

// Writes `docker logs <name>` to the log at debug level (both streams). Never fails: a missing
// container or docker leaves a debug line.
void log_output(const std::string& name);

// `docker rm -f <name>`. Errors: DockerStatusError (8) with docker's output.
Status remove(const std::string& name);

}  // namespace ssf::cli::container
