#pragma once
// ELF helpers for putting a dynamically linked program into an image that may have no libc:
// the program's shared-library closure, and its program interpreter (PT_INTERP), which can be
// pointed at a loader shipped beside it.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"

namespace ssf::image {

struct SharedLibrary {
  std::string name;             // as the program asks for it (DT_NEEDED): "libc.so.6"
  std::filesystem::path path;   // where this host has it (symlinks resolved)
  bool operator==(const SharedLibrary&) const = default;
};

struct LibraryClosure {
  std::filesystem::path interpreter;  // this host's loader ("/lib64/ld-linux-x86-64.so.2")
  std::vector<SharedLibrary> libraries;
};

// The libraries `binary` (a program or a shared object) loads, transitively, as this host's
// loader resolves them (`ldd`; the vDSO excluded). A static binary has an empty closure.
// Errors: PackagingError naming a library that is not found, or when ldd fails.
Result<LibraryClosure> shared_library_closure(const std::filesystem::path& binary);

// The program interpreter named by PT_INTERP; empty for a binary that has none.
// Errors: PackagingError when `elf` is not a 64-bit little-endian ELF file.
Result<std::string> elf_interpreter(std::string_view elf);

// Rewrites PT_INTERP in place to `path`, padded with NULs: the file keeps its size and layout, so
// `path` must be no longer than the present interpreter.
// Errors: PackagingError when there is no PT_INTERP or `path` is too long.
Status set_elf_interpreter(std::string& elf, std::string_view path);

}  // namespace ssf::image
