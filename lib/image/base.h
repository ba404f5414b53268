#pragma once
// Base images: where an image's first layers come from. Every kind ends up as the same thing, an
// OCI layout holding a manifest and its blobs, which the builder links into the new image:
//
//   oci-layout:<dir>[:<tag>]  an OCI image layout (the tag names an index.json entry; without it,
//                             the layout's only image); used in place
//   docker-archive:<file>     a `docker save` tarball; its layers are gzipped into the cache once
//   rootfs:<tar>              a root filesystem tarball (mmdebstrap, debootstrap, `docker export`):
//                             one layer, gzipped into the cache once
//   scratch                   no base: zero layers, an empty config
//   anything else             a registry reference, pulled by a RegistryPull (the registry
//                             module's pull, wired in by the command line) into the cache layout
//
// An index (a multi-platform image) resolves to its linux/amd64 manifest.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "image/descriptor.h"
#include "image/image_config.h"
#include "image/layer_cache.h"
#include "image/layout.h"

namespace ssf::image {

struct BaseImage {
  std::string name;                  // as given ("rootfs:/x.tar", "scratch", "debian:12")
  std::optional<OciLayout> layout;   // where its blobs are; none for scratch
  std::optional<Descriptor> manifest_descriptor;  // none for scratch
  std::vector<Descriptor> layers;    // its manifest's layers; none for scratch
  ImageConfig config;                // its config; for scratch an empty one
};

// Pulls `reference` into `into` and returns the manifest's descriptor there.
using RegistryPull =
    std::function<Result<Descriptor>(std::string_view reference, OciLayout& into)>;

struct BaseOptions {
  RegistryPull pull;       // empty: a registry reference is an error (36) saying so
  LayerOptions layer;      // how converted layers are compressed
};

// Opens the base named by `spec`, converting it into `cache` when it is not an OCI layout.
// Errors: PackagingError (36) naming the spec and the cause: missing or unreadable file, not a
// layout or archive, unknown tag, no linux/amd64 image, or a registry reference without a pull.
Result<BaseImage> open_base(std::string_view spec, LayerCache& cache,
                            const BaseOptions& options = {});

// The base whose manifest (or index) `descriptor` names in `layout`: what a registry pull gives.
Result<BaseImage> base_from_layout(const OciLayout& layout, const Descriptor& descriptor,
                                   std::string name);

}  // namespace ssf::image
