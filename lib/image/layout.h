#pragma once
// An OCI image layout directory (image-spec: image-layout.md):
//   <dir>/oci-layout            {"imageLayoutVersion":"1.0.0"}
//   <dir>/index.json            an Index; each entry names its image with kRefNameAnnotation
//   <dir>/blobs/sha256/<hex>    content, addressed by its digest
//
// Writes are atomic (temporary file, then rename), so that a reader, or a crash, never sees a
// half-written blob or index. Blobs are immutable once in place: writing one that exists is a no-op.
// Thread safety: distinct blobs may be written concurrently; index updates must be serialised by
// the caller.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/core.h"
#include "image/descriptor.h"
#include "image/digest.h"

namespace ssf::image {

class OciLayout {
 public:
  // An existing layout. Errors: PackagingError when `dir` has no readable `oci-layout` file.
  static Result<OciLayout> open(const std::filesystem::path& dir);
  // Opens `dir`, first making an empty layout there if it has none (parents included).
  static Result<OciLayout> open_or_create(const std::filesystem::path& dir);

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path blob_path(const Digest& digest) const;
  bool has_blob(const Digest& digest) const;

  // Stores `bytes`; returns its descriptor with `media_type`.
  Result<Descriptor> put_blob(std::string_view bytes, std::string_view media_type);
  // Moves `file` into the layout under its digest (`digest` when the caller already knows it,
  // e.g. from hashing while writing; computed otherwise). Renames when on the same filesystem,
  // copies otherwise; `file` is gone afterwards either way.
  Result<Descriptor> adopt_blob_file(const std::filesystem::path& file, std::string_view media_type,
                                     std::optional<Digest> digest = std::nullopt);
  // Puts `from`'s blob `digest` here too: a hard link when both are on one filesystem (blobs are
  // immutable, so sharing the inode is safe), a copy otherwise. No-op when it is here already.
  // Errors: PackagingError naming the missing blob or the failed copy.
  Status link_blob(const OciLayout& from, const Digest& digest);
  // A whole blob, checked against its digest. For manifests and configs: small blobs.
  Result<std::string> read_blob(const Digest& digest) const;

  // index.json; an absent one reads as an empty index.
  Result<Index> index() const;
  // The manifest descriptor named `ref_name`; with an empty name, the only one there is.
  // Errors: PackagingError "no image '<ref>' in <dir>" (or when the choice is ambiguous).
  Result<Descriptor> resolve(std::string_view ref_name) const;
  // Names `manifest` `ref_name` in index.json, replacing any entry of that name.
  Status tag(std::string_view ref_name, Descriptor manifest);

 private:
  explicit OciLayout(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path dir_;
};

}  // namespace ssf::image
