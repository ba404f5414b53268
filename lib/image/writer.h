#pragma once
// Writing a finished image: base + new layers + config → an OCI layout entry, and from a layout
// entry → a docker archive for `docker load`.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "image/base.h"
#include "image/descriptor.h"
#include "image/image_config.h"
#include "image/layer.h"
#include "image/layout.h"

namespace ssf::image {

struct NewLayer {
  LayerBlob blob;        // its blob is in the `layers_from` layout given to write_image
  HistoryEntry history;  // appended to the config's history
};

// Writes the image made of `base`'s layers then `layers`, with `config` (whose diff_ids and
// history are the base's: write_image appends the new layers' own), into `out`, and names it
// `ref_name` in out's index.json (no name when empty). Blobs are linked, not copied, when the
// layouts share a filesystem. Returns the manifest's descriptor.
// Errors: PackagingError naming the missing blob or the failed write.
Result<Descriptor> write_image(const BaseImage& base, const OciLayout& layers_from,
                               const std::vector<NewLayer>& layers, ImageConfig config,
                               const std::map<std::string, std::string>& annotations,
                               OciLayout& out, std::string_view ref_name);

// Writes the image `manifest` of `layout` as a tarball that `docker load` reads and that is also
// an OCI image layout (Docker 25's `docker save` format): blobs/sha256/..., oci-layout,
// index.json, manifest.json ([{Config, RepoTags, Layers}]) and repositories. `repo_tags` are
// completed with ":latest" when they have no tag. Written to a temporary file beside `out`, then
// renamed: a failure leaves no half-written archive. `mtime` is every entry's (SOURCE_DATE_EPOCH).
// Errors: PackagingError naming the blob or the file.
Status write_docker_archive(const OciLayout& layout, const Descriptor& manifest,
                            const std::vector<std::string>& repo_tags,
                            const std::filesystem::path& out, int64_t mtime = 0);

}  // namespace ssf::image
