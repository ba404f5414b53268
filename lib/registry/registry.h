#pragma once
// registry: an OCI distribution client (distribution-spec v1.1) over libcurl: push an image from an
// OCI layout, pull one into an OCI layout. The only header of this module that others include.
//
//   reference.h    Reference: host[:port]/path[:tag][@digest], with Docker Hub's defaults
//   options.h      Credentials, ClientOptions, BlobEvent: what a caller chooses
//
// Every failure is a DockerServerError (7), upstream's code for a failed push, with one line that
// names the registry, the repository and the cause:
//   "push 127.0.0.1:5000/app: unauthorized: wrong user name or password"
// Bad input that never reached a registry (an unparsable reference, a missing layout) keeps the
// code of the module that found it (ArgumentError 1, PackagingError 36).

#include <cstdint>
#include <vector>

#include "core/core.h"
#include "image/image.h"
#include "registry/options.h"
#include "registry/reference.h"

namespace ssf::registry {

struct PushResult {
  image::Descriptor manifest;     // as pushed: its digest is the image's
  std::vector<BlobEvent> blobs;   // one per config and layer blob, in manifest order
  int64_t bytes_sent = 0;         // blob bytes uploaded (skipped and mounted blobs send none)
};

// Pushes the image `manifest` (a manifest, not an index) of `layout` to `to` (its tag, or its
// digest when it has no tag). For each blob: skipped when the registry has it (HEAD), else mounted
// from the repository named by the manifest's `org.opencontainers.image.base.name` annotation or
// by options.mount_from when on the same registry, else uploaded (monolithic up to
// options.chunk_size, chunked above), options.parallel at a time. The manifest goes up last, only
// after every blob is in place, so that a failed push never leaves a tag on a partial image.
// Before the first upload, a Harbor registry is asked whether the project exists (HEAD
// /api/v2.0/projects?project_name=), so that a missing project gets a message that says so.
// Errors: DockerServerError (7) naming registry, repository and cause; PackagingError (36) when
// the layout lacks a blob or the manifest does not parse.
Result<PushResult> push(const image::OciLayout& layout, const image::Descriptor& manifest,
                        const Reference& to, const ClientOptions& options);

// Pulls `from` into `into`: the manifest (OCI or Docker schema 2; from an index or manifest list,
// the linux/amd64 entry), its config and layers, each verified against its digest while it
// streams. Blobs already in `into` are not fetched again (the layout is a content-addressed
// cache). The manifest is named `from.str()` in into's index.json. Returns the manifest's
// descriptor (with the media type the registry gave).
// Errors: DockerServerError (7) naming registry, repository and cause (a digest mismatch included);
// PackagingError (36) when the layout cannot be written.
Result<image::Descriptor> pull(const Reference& from, image::OciLayout& into,
                               const ClientOptions& options);

}  // namespace ssf::registry
