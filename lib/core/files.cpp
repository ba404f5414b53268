#include "core/files.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace ssf {
namespace {

bool has_magic(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::vector<std::string> split_components(std::string_view pattern) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= pattern.size()) {
    size_t slash = pattern.find('/', start);
    if (slash == std::string_view::npos) slash = pattern.size();
    if (slash > start) parts.emplace_back(pattern.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string join(const std::string& prefix, const std::string& name) {
  if (prefix.empty()) return name;
  if (prefix.back() == '/') return prefix + name;
  return prefix + "/" + name;
}

// `spelled` is the path as the result spells it; `real` is where it is on disk.
void walk(const fs::path& real, const std::string& spelled, const std::vector<std::string>& parts,
          size_t i, bool recursive, std::set<std::string>& out) {
  std::error_code ec;
  if (i == parts.size()) {
    if (fs::is_regular_file(real, ec)) out.insert(spelled);
    return;
  }
  const std::string& part = parts[i];
  if (recursive && part == "**") {
    walk(real, spelled, parts, i + 1, recursive, out);  // zero directories
    for (fs::directory_iterator it(real, ec), end; !ec && it != end; it.increment(ec)) {
      std::string name = it->path().filename().string();
      if (name[0] == '.') continue;
      if (it->is_directory(ec) && !it->is_symlink(ec)) {
        walk(it->path(), join(spelled, name), parts, i, recursive, out);
      } else if (i + 1 == parts.size() && it->is_regular_file(ec)) {
        out.insert(join(spelled, name));
      }
    }
    return;
  }
  if (!has_magic(part)) {
    walk(real / part, join(spelled, part), parts, i + 1, recursive, out);
    return;
  }
  for (fs::directory_iterator it(real, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) == 0) {
      walk(it->path(), join(spelled, name), parts, i + 1, recursive, out);
    }
  }
}

}  // namespace

Result<std::string> read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error(ResultCode::InternalError,
                 "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status write_file_atomic(const fs::path& path, std::string_view content) {
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out.write(content.data(), static_cast<std::streamsize>(content.size())) || !out.flush()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return Error(ResultCode::InternalError, "cannot write " + path.string());
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Error(ResultCode::InternalError, "cannot write " + path.string() + ": " + ec.message());
  }
  return {};
}

std::vector<std::string> glob_files(const fs::path& base, std::string_view pattern,
                                    const GlobOptions& options) {
  std::set<std::string> found;
  if (pattern.empty()) return {};
  bool absolute = pattern[0] == '/';
  // A leading "./" needs no special case: its "." is a component like any other and spells
  // itself, so "./*.txt" gives "./a.txt".
  std::string spelled = absolute ? "/" : "";
  fs::path real = absolute ? fs::path("/") : base;
  walk(real, spelled, split_components(pattern), 0, options.recursive, found);
  return {found.begin(), found.end()};
}

Result<TempDir> TempDir::create(std::string_view prefix, const fs::path& parent) {
  fs::path dir = parent;
  if (dir.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    dir = tmp && *tmp ? tmp : "/tmp";
  }
  std::string templ = (dir / (std::string(prefix) + "XXXXXX")).string();
  if (!mkdtemp(templ.data())) {
    return Error(ResultCode::InternalError,
                 "cannot create a temporary directory in " + dir.string() + ": " +
                     std::strerror(errno));
  }
  return TempDir(fs::path(templ));
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

}  // namespace ssf
