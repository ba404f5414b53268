// build_config and its entry points. The section builders live in build_application.cpp and
// build_endpoints.cpp; the field readers they share are here.

#include <cctype>

#include "config/internal.h"
#include "config/load.h"

namespace fs = std::filesystem;

namespace ssf::config {

namespace internal {

Error Fields::wrong_kind(const Value& node, std::string_view path,
                         std::string_view expected) const {
  std::string found(kind_name(node.kind()));
  if (node.kind() == Value::Kind::String) found += " '" + node.as_string() + "'";
  return error(node.mark(), path, "expected " + std::string(expected) + ", found " + found);
}

Error Fields::missing(const Value& parent, std::string_view key, std::string_view path) const {
  return error(parent.mark(), path,
               "required field '" + std::string(key) + "' not found in config YAML file");
}

const Value* Fields::find(const Value& parent, std::string_view key) {
  const Value* node = parent.find(key);
  return node && !node->is_null() ? node : nullptr;
}

Result<std::optional<std::string>> Fields::string(const Value& parent, std::string_view key,
                                                  std::string_view path) const {
  const Value* node = find(parent, key);
  if (!node) return std::optional<std::string>();
  if (!node->is_scalar()) return wrong_kind(*node, path, "string");
  return std::optional<std::string>(node->python_str());
}

Result<std::optional<int64_t>> Fields::integer(const Value& parent, std::string_view key,
                                               std::string_view path) const {
  const Value* node = find(parent, key);
  if (!node) return std::optional<int64_t>();
  std::optional<int64_t> value;
  if (node->kind() == Value::Kind::Int) value = node->as_int();
  if (node->kind() == Value::Kind::String) value = python_int(node->as_string());
  if (!value) return wrong_kind(*node, path, "int");
  // Every integer field of the config is a count or a number of seconds.
  if (*value < INT32_MIN || *value > INT32_MAX) {
    return error(node->mark(), path, node->python_str() + " is out of range");
  }
  return value;
}

Result<std::optional<bool>> Fields::boolean(const Value& parent, std::string_view key,
                                            std::string_view path) const {
  const Value* node = find(parent, key);
  if (!node) return std::optional<bool>();
  if (node->kind() == Value::Kind::Bool) return std::optional<bool>(node->as_bool());
  if (node->kind() == Value::Kind::String &&
      (node->as_string() == "True" || node->as_string() == "False")) {
    return std::optional<bool>(node->as_string() == "True");
  }
  return wrong_kind(*node, path, "bool");
}

Result<std::vector<std::string>> Fields::string_list(const Value& parent, std::string_view key,
                                                     std::string_view path) const {
  std::vector<std::string> out;
  const Value* node = find(parent, key);
  if (!node) return out;
  if (node->kind() != Value::Kind::List) return wrong_kind(*node, path, "list");
  const auto& items = node->as_list();
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_scalar() || items[i].is_null()) {
      return wrong_kind(items[i], std::string(path) + "[" + std::to_string(i) + "]", "string");
    }
    out.push_back(items[i].python_str());
  }
  return out;
}

Result<const Value*> Fields::map(const Value& parent, std::string_view key,
                                 std::string_view path) const {
  const Value* node = find(parent, key);
  if (node && node->kind() != Value::Kind::Map) return wrong_kind(*node, path, "map");
  return node;
}

Status Fields::check_id(const std::string& id, const Value& parent, std::string_view key,
                        std::string_view path) const {
  for (char c : id) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      const Value* node = parent.find(key);
      return error(node ? node->mark() : parent.mark(), path,
                   "'" + id + "' should not contain spaces");
    }
  }
  return {};
}

}  // namespace internal

namespace {

// The config path as the user gave it; an absolute one under the working directory is shown
// relative to it, which is how the user most likely typed it.
std::string display_name(const fs::path& file) {
  if (file.is_absolute()) {
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    if (!ec) {
      fs::path relative = file.lexically_normal().lexically_relative(cwd);
      if (!relative.empty() && *relative.begin() != "..") return relative.string();
    }
  }
  return file.string();
}

Result<Config> build(Value dict, const fs::path& file, const std::string& display,
                     const LoadOptions& options, bool self_package) {
  internal::Fields fields(display);
  if (dict.kind() != Value::Kind::Map) {
    return fields.error(
        dict.mark(), "",
        "expected a map at the top level, found " + std::string(kind_name(dict.kind())));
  }
  Config config;
  config.self_package = self_package;
  if (!file.empty()) config.file = fs::absolute(file).lexically_normal();
  auto ssf_version = fields.string(dict, "ssf_version", "ssf_version");
  if (!ssf_version) return std::move(ssf_version).error();
  if (*ssf_version) config.ssf_version = **ssf_version;

  auto application = internal::build_application(dict, fields, config.file, options, self_package);
  if (!application) return std::move(application).error();
  config.application = std::move(*application);
  if (!self_package) {
    auto endpoints = internal::build_endpoints(dict, fields, config.application);
    if (!endpoints) return std::move(endpoints).error();
    config.endpoints = std::move(*endpoints);
  }
  config.dict = std::move(dict);
  return config;
}

// A dotted run of numbers, after packaging.version's optional "v"; nullopt otherwise.
std::optional<std::vector<int64_t>> version_numbers(std::string_view text) {
  std::string_view s = trim(text);
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V')) s.remove_prefix(1);
  std::vector<int64_t> numbers;
  for (const auto& part : split(s, '.')) {
    if (part.empty() || part.size() > 18) return std::nullopt;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
    }
    numbers.push_back(std::stoll(part));
  }
  return numbers;
}

}  // namespace

Result<Config> build_config(Value dict, const fs::path& file, const LoadOptions& options) {
  return build(std::move(dict), file, display_name(file), options, false);
}

Result<Config> load_config(const fs::path& file, const LoadOptions& options) {
  std::string display = display_name(file);
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    // Reading a directory "succeeds" with no content, which would read as an empty config.
    return Error(ResultCode::ApplicationConfigError,
                 "Failure loading " + display + ": it is a directory");
  }
  auto text = read_file(file);
  if (!text) {
    return Error(ResultCode::ApplicationConfigError,
                 "Failure loading " + display + ": " + text.error().message());
  }
  auto dict = parse_yaml(*text, display);
  if (!dict) return std::move(dict).error();
  if (options.modify_config) SSF_TRY(modify_config(*dict, *options.modify_config));
  SSF_TRY(expand_all(*dict, display));
  return build(std::move(*dict), file, display, options, false);
}

Config self_package_config(const LoadOptions& options) {
  // Upstream's synthetic config (cli.py, self-package mode), expanded like a file's.
  Value application = Value::map();
  application.set("id", Value::string("simple-server-framework"));
  application.set("name", Value::string("Simple Server Framework"));
  application.set("version", Value::string(std::string(kSsfVersion)));
  Value package = Value::map();
  package.set("tag", Value::string("graphcore/cloudsolutions-dev:{{application.id}}-"
                                   "{{application.version}}"));
  application.set("package", std::move(package));
  Value dict = Value::map();
  dict.set("ssf_version", Value::string(std::string(kSsfVersion)));
  dict.set("application", std::move(application));

  // Neither step can fail on this fixed tree.
  if (!expand_all(dict, "<self-package>")) std::abort();
  auto config = build(std::move(dict), {}, "<self-package>", options, true);
  if (!config) std::abort();
  return std::move(config).value();
}

Status check_ssf_version(const Config& config) {
  std::string prefix = config.file.empty() ? "" : config.file.filename().string() + ": ";
  auto to_min = compare_versions(config.ssf_version, kMinimumSupportedVersion);
  auto to_max = compare_versions(config.ssf_version, kMaximumSupportedVersion);
  if (!to_min || !to_max) {
    return Error(ResultCode::ArgumentError,
                 prefix + "ssf_version " + config.ssf_version + " is not a valid version");
  }
  if (*to_min < 0 || *to_max > 0) {
    return Error(ResultCode::ArgumentError,
                 prefix + "ssf_version " + config.ssf_version +
                     " is not supported (supported: " + std::string(kMinimumSupportedVersion) +
                     " - " + std::string(kMaximumSupportedVersion) + ")");
  }
  return {};
}

std::optional<int> compare_versions(std::string_view a, std::string_view b) {
  auto x = version_numbers(a);
  auto y = version_numbers(b);
  if (!x || !y) return std::nullopt;
  // As packaging.version: missing trailing parts are zeros ("1.2" == "1.2.0").
  size_t n = std::max(x->size(), y->size());
  x->resize(n, 0);
  y->resize(n, 0);
  if (*x < *y) return -1;
  if (*x > *y) return 1;
  return 0;
}

}  // namespace ssf::config
