// ELF: the library closure comes from ldd (glibc's own resolver, so it matches what the loader
// does, RPATHs and all); PT_INTERP is read and written with <elf.h>'s structures.

#include "image/elf.h"

#include <elf.h>

#include <cstring>
#include <regex>

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

Error elf_error(std::string message) { return Error(ResultCode::PackagingError, std::move(message)); }

// The PT_INTERP program header's file range, if any.
Result<std::pair<size_t, size_t>> interp_range(std::string_view elf) {
  if (elf.size() < sizeof(Elf64_Ehdr) || std::memcmp(elf.data(), ELFMAG, SELFMAG) != 0 ||
      elf[EI_CLASS] != ELFCLASS64 || elf[EI_DATA] != ELFDATA2LSB) {
    return elf_error("not a 64-bit little-endian ELF file");
  }
  Elf64_Ehdr header;
  std::memcpy(&header, elf.data(), sizeof header);
  for (size_t i = 0; i < header.e_phnum; ++i) {
    size_t at = header.e_phoff + i * header.e_phentsize;
    if (header.e_phentsize < sizeof(Elf64_Phdr) || at + sizeof(Elf64_Phdr) > elf.size()) {
      return elf_error("truncated ELF program headers");
    }
    Elf64_Phdr ph;
    std::memcpy(&ph, elf.data() + at, sizeof ph);
    if (ph.p_type != PT_INTERP) continue;
    if (ph.p_offset + ph.p_filesz > elf.size() || ph.p_filesz == 0) {
      return elf_error("truncated ELF interpreter");
    }
    return std::pair<size_t, size_t>(ph.p_offset, ph.p_filesz);
  }
  return std::pair<size_t, size_t>(0, 0);
}

}  // namespace

Result<std::string> elf_interpreter(std::string_view elf) {
  auto range = interp_range(elf);
  if (!range) return std::move(range).error();
  if (range->second == 0) return std::string();
  std::string_view field = elf.substr(range->first, range->second);
  return std::string(field.substr(0, field.find('\0')));
}

Status set_elf_interpreter(std::string& elf, std::string_view path) {
  auto range = interp_range(elf);
  if (!range) return std::move(range).error();
  if (range->second == 0) return elf_error("the program has no interpreter (PT_INTERP)");
  // The kernel reads p_filesz bytes and wants the last to be NUL.
  if (path.size() + 1 > range->second) {
    return elf_error(fmt::format("interpreter path '{}' is longer than the original's {} bytes",
                                 path, range->second - 1));
  }
  std::memset(elf.data() + range->first, 0, range->second);
  std::memcpy(elf.data() + range->first, path.data(), path.size());
  return {};
}

Result<LibraryClosure> shared_library_closure(const fs::path& binary) {
  auto out = run_process({"ldd", binary.string()});
  if (!out) return elf_error(fmt::format("ldd {}: {}", binary.string(), out.error().message()));
  LibraryClosure closure;
  if (out->out.find("not a dynamic executable") != std::string::npos ||
      out->out.find("statically linked") != std::string::npos) {
    return closure;
  }
  if (out->exit_code != 0) {
    return elf_error(fmt::format("ldd {} failed: {}", binary.string(), trim(out->out)));
  }
  static const std::regex kResolved(R"(^\s*(\S+) => (\S+) \(0x[0-9a-f]+\)\s*$)");
  static const std::regex kMissing(R"(^\s*(\S+) => not found\s*$)");
  static const std::regex kLoader(R"(^\s*(/\S+) \(0x[0-9a-f]+\)\s*$)");
  for (const auto& line : split(out->out, '\n')) {
    std::smatch m;
    if (std::regex_match(line, m, kMissing)) {
      return elf_error(fmt::format("{} needs {}, which this host does not have", binary.string(),
                                   m[1].str()));
    }
    if (std::regex_match(line, m, kResolved)) {
      std::error_code ec;
      fs::path real = fs::canonical(m[2].str(), ec);
      if (ec) return elf_error(fmt::format("cannot resolve {}: {}", m[2].str(), ec.message()));
      closure.libraries.push_back(SharedLibrary{m[1].str(), real});
    } else if (std::regex_match(line, m, kLoader)) {
      closure.interpreter = m[1].str();
    }
  }
  return closure;
}

}  // namespace ssf::image
