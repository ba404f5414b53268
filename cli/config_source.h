#pragma once
// Where the config comes from: the `--config` value (ssf-behaviour.md §1.2).
//   path/to/ssf_config.yaml                    a local file (no ':')
//   <giturl>[@<ref>][|<path in repo>]          a git repository, cloned by `init` into .repo/<name>
//   gradient-model:<model id>[|<path>]         a Paperspace model, downloaded by `init`

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ssf::cli {

struct ConfigSource {
  enum class Kind { Local, Git, GradientModel };
  Kind kind = Kind::Local;
  std::string raw;               // the --config value as given
  std::string repo;              // git URL or model id
  std::optional<std::string> checkout;  // the @ref, if any
  std::string repo_name;         // last URL component without extension
  std::filesystem::path repo_dir;     // .repo/<repo_name> or .gradient-model
  std::filesystem::path config_file;  // path inside the repo (default ssf_config.yaml)
  std::filesystem::path config;       // the config file to read

  bool remote() const { return kind != Kind::Local; }
};

// Parses a --config value relative to `cwd`. Never fails: anything without ':' is a local path.
ConfigSource parse_config_source(std::string_view value, const std::filesystem::path& cwd);

}  // namespace ssf::cli
