#pragma once
// Internal to image: a tar writer that gives the same bytes for the same entries, always.
//
// Format: POSIX.1-2001 (pax) as GNU tar and Go's archive/tar write it: a ustar header per entry,
// preceded by a pax extended header ('x') only when a path or link target does not fit ustar's
// fields or a size exceeds 8 GiB. Owner and group are 0 with empty names; the mtime is the one
// given; nothing else (atime, xattrs, device numbers) is recorded. Hand-written rather than
// libarchive, because every byte of a layer decides its digest and this is the whole of the
// format that needs deciding; it is also faster (no per-entry allocation, no format detection).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/core.h"

namespace ssf::image {

class TarWriter {
 public:
  // Receives the archive's bytes, in order. A failing sink stops the writer with its error.
  using Sink = std::function<Status(std::string_view bytes)>;
  explicit TarWriter(Sink sink) : sink_(std::move(sink)) {}

  // `path` relative, without a leading "/" or "./"; directories get a trailing '/' added.
  Status add_directory(std::string_view path, uint32_t mode, int64_t mtime);
  Status add_symlink(std::string_view path, std::string_view target, int64_t mtime);
  // A file whose `size` bytes are then given by `write_content`, which calls `put` as often as it
  // likes; the writer checks that exactly `size` bytes came and pads the block.
  Status add_file(std::string_view path, uint32_t mode, int64_t mtime, uint64_t size,
                  const std::function<Status(const Sink& put)>& write_content);
  Status add_file(std::string_view path, uint32_t mode, int64_t mtime, std::string_view content);
  // The two zero blocks that end an archive.
  Status finish();

 private:
  Status header(std::string_view path, char type, uint32_t mode, int64_t mtime, uint64_t size,
                std::string_view link);
  Sink sink_;
};

}  // namespace ssf::image
