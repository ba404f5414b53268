#include <catch2/catch.hpp>

#include "registry/session.h"

using namespace ssf::registry;

namespace {
HttpResponse answer(long status, std::string body = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}
HttpRequest put_manifest_request() {
  HttpRequest r;
  r.method = "PUT";
  r.url = "http://127.0.0.1:5000/v2/library/app/manifests/1.0";
  return r;
}
}  // namespace

TEST_CASE("errors: the cause comes first, then the registry's words, then the request") {
  auto e = http_error(put_manifest_request(),
                      answer(400, R"({"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid","detail":{}}]})"));
  CHECK(e.code() == ssf::ResultCode::DockerServerError);
  CHECK(e.message() == "manifest invalid (PUT /v2/library/app/manifests/1.0: 400)");
  auto unknown = http_error(put_manifest_request(),
                            answer(404, R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})"));
  CHECK(unknown.message() ==
        "name unknown: repository name not known to registry (PUT /v2/library/app/manifests/1.0: 404)");
}

TEST_CASE("errors: status classes without a body") {
  CHECK(http_error(put_manifest_request(), answer(401)).message().rfind("unauthorized", 0) == 0);
  CHECK(http_error(put_manifest_request(), answer(403)).message().rfind("denied", 0) == 0);
  CHECK(http_error(put_manifest_request(), answer(503)).message().rfind("server error", 0) == 0);
  CHECK(http_error(put_manifest_request(), answer(429)).message().rfind("too many requests", 0) == 0);
}

TEST_CASE("errors: no answer is a network error; upload state tokens are not printed") {
  HttpRequest r;
  r.method = "PATCH";
  r.url = "http://reg/v2/app/blobs/uploads/abc?_state=very-long-token&digest=x";
  HttpResponse none;
  none.transport_error = "Connection reset by peer";
  auto e = http_error(r, none);
  CHECK(e.message() == "network: Connection reset by peer (PATCH /v2/app/blobs/uploads/abc)");
}
