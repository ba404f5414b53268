#pragma once
// Layers: reproducible tar+gzip blobs (image-spec: layer.md), written in one pass that yields
// both the diff_id (sha256 of the tar) and the digest (sha256 of the gzip stream).
//
// Reproducible: the same LayerSpec gives the same bytes, whatever the host, umask, file
// timestamps, owners or directory order: entries are sorted by path, parent directories are
// added (mode 0755), owner and group are 0, every mtime is LayerSpec::mtime, modes are the ones
// given, and the gzip header carries no name and no time. The zlib version and level decide the
// compressed bytes; both are fixed for a given gc-ssf build.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/core.h"
#include "image/descriptor.h"
#include "image/digest.h"
#include "image/media_types.h"

namespace ssf::image {

struct LayerEntry {
  enum class Kind { File, Directory, Symlink };
  Kind kind = Kind::File;
  // Where it goes in the image: relative, '/'-separated, no leading "/" or "./" ("opt/ssf/bin").
  std::string path;
  uint32_t mode = 0644;  // permission bits; symlinks are always 0777
  // File: the content, from `source` unless `content` is set (generated or patched files).
  std::filesystem::path source;
  std::optional<std::string> content;
  std::string link_target;  // Symlink
};

struct LayerSpec {
  std::vector<LayerEntry> entries;  // any order; sorted when written
  int64_t mtime = 0;                // every entry's mtime: SOURCE_DATE_EPOCH
};

struct LayerOptions {
  // zlib level. 1 is about 3x faster than 6 for binaries at about 10% larger blobs; layers are
  // written once and cached, so the default favours the cold build. Part of the cache key.
  int compression_level = 1;
  // False: the tar lacks its two end blocks, so that it can be followed by another tar's entries
  // (gzip members concatenate; package's bundle is made that way). Part of the cache key.
  bool end_of_archive = true;
  // Told how many more tar bytes were written, as they are (progress display). Not in the key.
  std::function<void(uint64_t bytes)> on_bytes;
};

// A written layer blob.
struct LayerBlob {
  Digest digest;          // of the compressed blob: the manifest's layer digest
  int64_t size = 0;       // compressed size
  Digest diff_id;         // of the uncompressed tar: the config's rootfs.diff_ids
  int64_t tar_size = 0;   // uncompressed size
  int64_t files = 0;      // entries of the tar (directories and links included)
  std::string media_type{kOciLayerGzip};

  Descriptor descriptor() const { return Descriptor{media_type, digest, size, {}, {}}; }
};

// Writes the layer to `out` (created or truncated). Errors: PackagingError naming the entry
// (unreadable source, two entries for one path, a path that climbs out with "..") or the output.
Result<LayerBlob> write_layer(const LayerSpec& spec, const std::filesystem::path& out,
                              const LayerOptions& options = {});

// Gzips an existing layer tar (a rootfs tarball, an uncompressed docker-archive layer) into `out`
// as it is, entry for entry. Errors: PackagingError naming the file.
Result<LayerBlob> compress_tar(const std::filesystem::path& tar, const std::filesystem::path& out,
                               const LayerOptions& options = {});

// A digest of everything that decides the bytes write_layer gives for `spec`: the sorted entries'
// paths, kinds, modes, link targets and contents (hashed), the mtime, the options and `salt`.
// The layer cache's key. Errors: as write_layer for unreadable sources.
Result<Digest> layer_key(const LayerSpec& spec, const LayerOptions& options,
                         std::string_view salt = {});

}  // namespace ssf::image
