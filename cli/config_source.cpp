#include "config_source.h"

#include <cstdlib>

namespace fs = std::filesystem;

namespace ssf::cli {
namespace {

fs::path expand_user(std::string_view path) {
  if (path == "~" || path.substr(0, 2) == "~/") {
    const char* home = std::getenv("HOME");
    if (home) return fs::path(home) / std::string(path.substr(path.size() > 1 ? 2 : 1));
  }
  return fs::path(path);
}

}  // namespace

ConfigSource parse_config_source(std::string_view value, const fs::path& cwd) {
  ConfigSource s;
  s.raw = value;
  if (value.find(':') == std::string_view::npos) {
    fs::path p = expand_user(value);
    s.config = fs::weakly_canonical(p.is_absolute() ? p : cwd / p);
    return s;
  }

  std::string_view url = value;
  std::string_view in_repo = "ssf_config.yaml";
  if (auto bar = value.find('|'); bar != std::string_view::npos) {
    url = value.substr(0, bar);
    in_repo = value.substr(bar + 1);
  }
  s.config_file = fs::path(in_repo);

  if (url.substr(0, 15) == "gradient-model:") {
    s.kind = ConfigSource::Kind::GradientModel;
    s.repo = url.substr(15);
    s.repo_name = s.repo;
    s.repo_dir = cwd / ".gradient-model";
    s.config = s.repo_dir / s.config_file;
    return s;
  }

  s.kind = ConfigSource::Kind::Git;
  // "@ref" is split from the last path component only: "git@host:org/app.git@v1" has a user part.
  auto slash = url.rfind('/');
  size_t last_start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view last = url.substr(last_start);
  if (auto at = last.rfind('@'); at != std::string_view::npos) {
    s.checkout = std::string(last.substr(at + 1));
    last = last.substr(0, at);
    url = url.substr(0, last_start + at);
  }
  s.repo = url;
  if (auto colon = last.rfind(':'); colon != std::string_view::npos) last = last.substr(colon + 1);
  if (auto dot = last.rfind('.'); dot != std::string_view::npos && dot > 0) last = last.substr(0, dot);
  s.repo_name = last;
  s.repo_dir = cwd / ".repo" / s.repo_name;
  s.config = s.repo_dir / s.config_file;
  return s;
}

}  // namespace ssf::cli
