#pragma once
// Descriptors, manifests and indexes (image-spec: descriptor.md, manifest.md, image-index.md),
// with Docker schema 2 read as the same model (the fields coincide; only media types differ).
//
// Serialisation is canonical: keys in a fixed order, compact, no insignificant whitespace, so that
// the same model always gives the same bytes and hence the same digest.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "image/digest.h"

namespace ssf::image {

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;  // empty when none
  bool operator==(const Platform&) const = default;
};

struct Descriptor {
  std::string media_type;
  Digest digest;
  int64_t size = 0;
  std::map<std::string, std::string> annotations;
  std::optional<Platform> platform;  // in an index's entries
  bool operator==(const Descriptor&) const = default;
};

struct Manifest {
  std::string media_type{"application/vnd.oci.image.manifest.v1+json"};
  Descriptor config;
  std::vector<Descriptor> layers;
  std::map<std::string, std::string> annotations;

  std::string to_json() const;
  // Errors: PackagingError naming the missing or malformed field.
  static Result<Manifest> parse(std::string_view json);
};

struct Index {
  std::string media_type{"application/vnd.oci.image.index.v1+json"};
  std::vector<Descriptor> manifests;
  std::map<std::string, std::string> annotations;

  std::string to_json() const;
  // Errors: PackagingError naming the missing or malformed field.
  static Result<Index> parse(std::string_view json);
};

}  // namespace ssf::image
