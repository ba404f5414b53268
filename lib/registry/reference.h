#pragma once
// Image references as Docker reads them (distribution/reference's grammar):
//   [host[:port]/]path[:tag][@sha256:<hex>]
// The first component is a host when it has a '.' or a ':', or is "localhost"; otherwise the
// reference is on Docker Hub ("docker.io"), and a one-component path gets "library/" in front.
// No tag and no digest means ":latest".

#include <optional>
#include <string>
#include <string_view>

#include "core/core.h"
#include "image/image.h"

namespace ssf::registry {

struct Reference {
  std::string registry;    // "docker.io", "127.0.0.1:5000", "harbor.example.com"
  std::string repository;  // "library/ubuntu", "project/app/sub"
  std::string tag;         // empty only when a digest is given
  std::optional<image::Digest> digest;

  // Errors: ArgumentError naming the text and what is wrong with it.
  static Result<Reference> parse(std::string_view text);

  // The canonical spelling: "docker.io/library/ubuntu:22.04", "reg:5000/app@sha256:...".
  std::string str() const;
  // "registry/repository", for messages.
  std::string name() const { return registry + "/" + repository; }
  // What goes in /v2/<repository>/manifests/<here>: the digest when given, else the tag.
  std::string manifest_reference() const { return digest ? digest->str() : tag; }
  // The host the API is served from: Docker Hub's is registry-1.docker.io.
  std::string api_host() const;
  // The first path component: Harbor's project.
  std::string project() const;
};

// Whether `host` ("127.0.0.5:5000", "localhost", "[::1]:80") is a loopback address or name.
bool is_loopback_host(std::string_view host);

}  // namespace ssf::registry
