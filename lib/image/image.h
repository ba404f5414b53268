#pragma once
// image: the OCI image model shared by `package` (which writes images) and the registry client
// (which pushes and pulls them). The only header of this module that others include.
//
//   media_types.h  the media types and annotation keys of the OCI and Docker formats
//   digest.h       Digest ("sha256:<hex>") and a streaming SHA-256
//   descriptor.h   Descriptor, Manifest and Index, to and from their JSON
//   layout.h       OciLayout: an OCI image layout directory (blobs/, index.json, oci-layout)
//
// The OCI image layout on disk is the hand-over format between the modules: `package` writes one
// under .package/<id>/, `publish` pushes from it, and pulled base images land in one.

#include "image/descriptor.h"
#include "image/digest.h"
#include "image/layout.h"
#include "image/media_types.h"
