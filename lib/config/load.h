#pragma once
// Loading a config: YAML text → Value → --modify-config → `{{...}}` expansion → typed Config.
//
// Every error is a single line that names the file, the line and column, and the field:
//   ssf_config.yaml:14:7: endpoints[0].inputs[1].type: unknown type 'Integr' (expected one of ...)
// and carries ResultCode::ApplicationConfigError (34), except the ssf_version range check
// (ArgumentError, 1) as upstream. Where upstream only warns, these functions log the same warning.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "config/model.h"
#include "config/value.h"
#include "core/core.h"

namespace ssf::config {

struct LoadOptions {
  std::optional<std::string> modify_config;      // --modify-config
  std::optional<std::string> package_baseimage;  // --package-baseimage
  std::string api = "fastapi";                   // --api
  std::filesystem::path cwd;  // where venv_dir lives; default: the current directory
};

// Parses YAML (1.1 scalars, as PyYAML). `display_name` names the text in errors.
Result<Value> parse_yaml(std::string_view text, std::string_view display_name);

// Applies a --modify-config spec ("a.b=v;c[2].d=w") with upstream's rules (§2.3): a new field is
// stored as a string; an existing scalar keeps its type (int, float, or bool from exactly
// "True"/"False"), a null one becomes a string; lists need an index and grow with nulls; a map or
// list cannot be overwritten. Errors: 34 "Failed to modify config with `[...]`" after logging the
// reason for each failing item.
Status modify_config(Value& dict, std::string_view spec);

// Replaces every `{{a.b.c}}` / `{{a.b[0].c:default}}` in `text` with python_str() of the value
// found in `dict`; the default applies when the field is missing or an empty string.
// Errors: 34 naming the symbol that has neither value nor default, or an unclosed `{{`.
Result<std::string> expand_string(std::string_view text, const Value& dict);
// expand_string on every string of the tree, in place. Errors name the node's position.
Status expand_all(Value& dict, std::string_view display_name);

// Types and validates an expanded tree read from `file`.
Result<Config> build_config(Value dict, const std::filesystem::path& file,
                            const LoadOptions& options);

// Reads `file` and does all of the above. Errors: 34 for an unreadable or malformed file.
Result<Config> load_config(const std::filesystem::path& file, const LoadOptions& options);

// The synthetic config of self-package mode (no --config; commands within {package, publish}).
Config self_package_config(const LoadOptions& options);

// Checks ssf_version against [kMinimumSupportedVersion, kMaximumSupportedVersion].
// Errors: 1 naming the version and the supported range.
Status check_ssf_version(const Config& config);

// Compares dotted versions numerically ("1.10.0" > "1.2"); nullopt when one is not a version.
std::optional<int> compare_versions(std::string_view a, std::string_view b);

}  // namespace ssf::config
