#pragma once
// A content-addressed store of built layers, so that a layer whose inputs did not change is never
// written again: an OCI layout (its blobs/ hold the layers; images are not tagged in it) plus
// keys/<key hex>, a small JSON record mapping a layer_key() to the LayerBlob made from it.
//
// The same store holds converted base images (a rootfs tarball gzipped, a docker archive's
// layers) under keys made from their source, so that a base is converted once.
// Records are written after their blob and atomically: a crash leaves at worst an unused blob.
// Thread safety: as OciLayout; concurrent processes may share a cache (writes are atomic renames
// of identical content).

#include <filesystem>
#include <functional>
#include <optional>

#include "core/core.h"
#include "image/digest.h"
#include "image/layer.h"
#include "image/layout.h"

namespace ssf::image {

class LayerCache {
 public:
  // Opens or creates the cache at `dir`. Errors: PackagingError naming the directory.
  static Result<LayerCache> open(const std::filesystem::path& dir);

  // Opens the cache at `dir` if there is one there; creates nothing (for caches only read).
  static std::optional<LayerCache> open_existing(const std::filesystem::path& dir);

  OciLayout& layout() { return layout_; }
  const OciLayout& layout() const { return layout_; }

  // The layer recorded under `key`, if its record and blob are both there.
  std::optional<LayerBlob> find(const Digest& key) const;

  // Takes `from`'s layer recorded under `key` into this cache (its blob linked, see
  // OciLayout::link_blob, and its record copied), so that a layer made elsewhere, e.g. by the
  // gc-ssf build, is found here. Returns whether `from` had it. Errors: PackagingError when the
  // blob cannot be linked or the record written.
  Result<bool> adopt(const LayerCache& from, const Digest& key);

  // The layer recorded under `key`, or the one `make` writes into the file it is given (a
  // temporary name in the cache), which is then stored and recorded. `cached` tells which.
  Result<LayerBlob> get_or_make(
      const Digest& key,
      const std::function<Result<LayerBlob>(const std::filesystem::path& out)>& make,
      bool* cached = nullptr);

 private:
  explicit LayerCache(OciLayout layout) : layout_(std::move(layout)) {}
  std::filesystem::path record_path(const Digest& key) const;
  Status write_record(const Digest& key, const LayerBlob& blob);
  OciLayout layout_;
};

}  // namespace ssf::image
