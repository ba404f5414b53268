#pragma once
// Files: reading, atomic writing, globbing as upstream's build_file_list does, and temporary
// directories that clean up after themselves.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace ssf {

// The whole file. Errors: InternalError naming the path and the cause.
Result<std::string> read_file(const std::filesystem::path& path);

// Writes through a temporary file in the same directory and renames it over `path`, so that a
// reader never sees half a file and a failure leaves the old file as it was.
Status write_file_atomic(const std::filesystem::path& path, std::string_view content);

struct GlobOptions {
  // `**` matches zero or more directories (Python's glob(recursive=True)); when false it is `*`.
  bool recursive = true;
};

// The regular files (not directories) that `pattern` matches, relative to `base` and spelled as
// the pattern spells them ("./a/b.txt" for "./a/*.txt"), sorted. `*`, `?` and `[...]` match
// within one path component and, as in Python's glob, not a leading '.' unless the pattern has
// one. A pattern without wildcards matches itself when it names a regular file. Absolute
// patterns ignore `base`. Unreadable directories are skipped.
std::vector<std::string> glob_files(const std::filesystem::path& base, std::string_view pattern,
                                    const GlobOptions& options = {});

// A directory removed with its contents when this object goes away.
class TempDir {
 public:
  // Creates `<parent>/<prefix>XXXXXX`; parent defaults to $TMPDIR or /tmp.
  static Result<TempDir> create(std::string_view prefix = "gc-ssf-",
                                const std::filesystem::path& parent = {});
  TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  explicit TempDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace ssf
