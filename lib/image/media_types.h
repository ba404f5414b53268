#pragma once
// Media types and annotation keys, from the OCI image spec v1.1 (image-spec: media-types.md,
// annotations.md, image-layout.md) and Docker's image manifest v2 schema 2.

#include <string_view>

namespace ssf::image {

inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view kOciLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view kOciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

inline constexpr std::string_view kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kDockerManifestList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kDockerLayerGzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";

// index.json's name for a manifest: the tag (image-spec: annotations.md).
inline constexpr std::string_view kRefNameAnnotation = "org.opencontainers.image.ref.name";

// The content of the `oci-layout` file (image-spec: image-layout.md).
inline constexpr std::string_view kLayoutVersion = R"({"imageLayoutVersion":"1.0.0"})";

// True for the manifest types (OCI, Docker schema 2), and for the index types.
bool is_manifest_type(std::string_view media_type);
bool is_index_type(std::string_view media_type);

}  // namespace ssf::image
