#pragma once
// image: the OCI image model shared by `package` (which writes images) and the registry client
// (which pushes and pulls them). The only header of this module that others include.
//
//   media_types.h  the media types and annotation keys of the OCI and Docker formats
//   digest.h       Digest ("sha256:<hex>") and a streaming SHA-256
//   descriptor.h   Descriptor, Manifest and Index, to and from their JSON
//   layout.h       OciLayout: an OCI image layout directory (blobs/, index.json, oci-layout)
//   layer.h        reproducible tar+gzip layers, diff_id and digest in one pass; layer_key()
//   layer_cache.h  LayerCache: built layers (and converted bases) kept by the digest of their inputs
//   image_config.h ImageConfig: the config blob (Entrypoint, Env, labels, history, Healthcheck)
//   base.h         base images: oci-layout:, docker-archive:, rootfs:, scratch, registry (via a pull)
//   writer.h       write_image (base + layers + config → layout), write_docker_archive
//   elf.h          a program's shared-library closure; PT_INTERP rewriting
//
// The OCI image layout on disk is the hand-over format between the modules: `package` writes one
// under .package/<id>/, `publish` pushes from it, and pulled base images land in one.

#include "image/base.h"
#include "image/descriptor.h"
#include "image/digest.h"
#include "image/elf.h"
#include "image/image_config.h"
#include "image/layer.h"
#include "image/layer_cache.h"
#include "image/layout.h"
#include "image/media_types.h"
#include "image/writer.h"
