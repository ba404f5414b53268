#include <catch2/catch.hpp>

#include "image/image.h"

using namespace ssf::image;

namespace {
Descriptor blob(std::string_view content, std::string_view media_type) {
  return Descriptor{std::string(media_type), Digest::of(content),
                    static_cast<int64_t>(content.size()), {}, {}};
}
}  // namespace

TEST_CASE("descriptor: a manifest serialises canonically and parses back") {
  Manifest m{std::string(kOciManifest), blob("{}", kOciConfig), {blob("layer", kOciLayerGzip)}, {}};
  std::string json = m.to_json();
  CHECK(json.rfind(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},)", 0) == 0);
  auto parsed = Manifest::parse(json);
  REQUIRE(parsed);
  CHECK(parsed->config == m.config);
  CHECK(parsed->layers == m.layers);
  CHECK(parsed->to_json() == json);  // same model, same bytes, same digest
}

TEST_CASE("descriptor: Docker schema 2 manifests parse into the same model") {
  std::string docker = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,
              "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
    "layers":[]})";
  auto parsed = Manifest::parse(docker);
  REQUIRE(parsed);
  CHECK(parsed->media_type == kDockerManifest);
  CHECK(parsed->config.size == 2);
}

TEST_CASE("descriptor: malformed manifests name the field") {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"[]", "malformed manifest: not a JSON object"},
      {R"({"schemaVersion":1})", "malformed manifest: field 'schemaVersion'"},
      {R"({"schemaVersion":2,"layers":[]})", "malformed manifest: field 'config'"},
      {R"({"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:1","size":1},"layers":[]})",
       "malformed manifest: field 'config.digest'"},
      {R"({"schemaVersion":2,"config":{"mediaType":"x","size":-1,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]})",
       "malformed manifest: field 'config.size'"},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto parsed = Manifest::parse(c.json);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message() == c.message);
  }
}

TEST_CASE("descriptor: an index keeps platforms and annotations") {
  Descriptor entry = blob("m", kOciManifest);
  entry.platform = Platform{};
  entry.annotations[std::string(kRefNameAnnotation)] = "app:1.0";
  Index index;
  index.manifests.push_back(entry);
  auto parsed = Index::parse(index.to_json());
  REQUIRE(parsed);
  REQUIRE(parsed->manifests.size() == 1);
  CHECK(parsed->manifests[0] == entry);
}

TEST_CASE("descriptor: fields of the wrong type are malformed documents, not crashes") {
  for (std::string bad : {R"({"schemaVersion":"2","config":{},"layers":[]})",
                          R"({"schemaVersion":2,"mediaType":7,"manifests":[]})"}) {
    CAPTURE(bad);
    auto m = Manifest::parse(bad);
    REQUIRE_FALSE(m);
    CHECK(m.error().code() == ssf::ResultCode::PackagingError);
    auto i = Index::parse(bad);
    REQUIRE_FALSE(i);
    CHECK(i.error().code() == ssf::ResultCode::PackagingError);
  }
}
