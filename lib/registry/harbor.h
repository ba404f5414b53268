#pragma once
// Harbor specifics that go beyond the distribution API. Internal to the module.

#include "core/core.h"
#include "registry/http.h"
#include "registry/reference.h"
#include "registry/session.h"

namespace ssf::registry {

// Harbor needs a repository's project to exist before a push, and answers a push into a missing
// one with "unauthorized", a 500 or endless retries (goharbor/harbor#6892, #20544). So before
// uploading, ask Harbor's API: HEAD /api/v2.0/projects?project_name=<project> (200: exists, 404:
// missing), with the push's credentials. A registry that is not Harbor answers 404 there too, so
// a 404 counts only when /api/v2.0/ping answers as Harbor's does ("Pong").
// OK when the project exists or the registry is not Harbor (or its API cannot tell).
// Errors: DockerServerError "project '<p>' does not exist on Harbor registry <r>: ...".
Status check_harbor_project(Session& session, HttpClient& client, const Reference& ref);

}  // namespace ssf::registry
