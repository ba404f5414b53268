// `{{...}}` expansion, as upstream's utils.expand_str/lookup_dict: after each substitution the
// string is scanned again from the start, so a substituted value that itself holds `{{...}}` is
// expanded too, whatever the order of fields in the file. Unlike upstream, a reference that keeps
// producing symbols (`a: "{{a}}"`) ends with an error instead of looping forever.

#include "config/internal.h"
#include "config/load.h"

namespace ssf::config {

namespace {

constexpr int kMaxSubstitutions = 1000;
constexpr size_t kMaxExpandedSize = 1 << 20;

// Walks "a.b[0].c"; nullptr when any step is missing. Indexing is gc-ssf's: upstream only walks
// map keys (`endpoints[0]` was looked up as a key, never found, and fell back to the default).
const Value* lookup(const Value& dict, std::string_view path) {
  const Value* node = &dict;
  for (const auto& part : split(path, '.')) {
    std::string_view rest = part;
    size_t open = rest.find('[');
    std::string_view name = rest.substr(0, open);
    if (!name.empty() || open == std::string_view::npos) {
      node = node->find(name);
      if (!node) return nullptr;
    }
    rest = open == std::string_view::npos ? std::string_view() : rest.substr(open);
    while (!rest.empty()) {
      size_t close = rest.find(']');
      if (rest[0] != '[' || close == std::string_view::npos) return nullptr;
      auto index = internal::python_int(rest.substr(1, close - 1));
      if (!index || *index < 0 || node->kind() != Value::Kind::List ||
          static_cast<size_t>(*index) >= node->as_list().size()) {
        return nullptr;
      }
      node = &node->as_list()[static_cast<size_t>(*index)];
      rest.remove_prefix(close + 1);
    }
  }
  return node;
}

Result<std::string> symbol_value(std::string_view symbol, const Value& dict) {
  std::optional<std::string_view> fallback;
  std::string_view path = symbol;
  if (size_t colon = symbol.find(':'); colon != std::string_view::npos) {
    fallback = symbol.substr(colon + 1);
    path = symbol.substr(0, colon);
  }
  std::string text;
  if (const Value* found = lookup(dict, path)) text = found->python_str();
  // As upstream: an empty value counts as missing.
  if (!text.empty()) return text;
  if (!fallback) {
    return Error(ResultCode::ApplicationConfigError,
                 std::string(path) + " not specified and there is no default");
  }
  log::info("{} not specified. Defaulting to '{}'", path, *fallback);
  return std::string(*fallback);
}

Status expand_node(Value& node, const Value& dict, std::string_view display, std::string& path) {
  switch (node.kind()) {
    case Value::Kind::String: {
      auto expanded = expand_string(node.as_string(), dict);
      if (!expanded) {
        return internal::config_error(display, node.mark(), path, expanded.error().message());
      }
      node = Value::string(std::move(*expanded), node.mark());
      return {};
    }
    case Value::Kind::List: {
      size_t base = path.size();
      auto& items = node.as_list();
      for (size_t i = 0; i < items.size(); ++i) {
        path += "[" + std::to_string(i) + "]";
        SSF_TRY(expand_node(items[i], dict, display, path));
        path.resize(base);
      }
      return {};
    }
    case Value::Kind::Map: {
      size_t base = path.size();
      for (auto& [key, item] : node.as_map()) {
        if (base > 0) path += '.';
        path += key;
        SSF_TRY(expand_node(item, dict, display, path));
        path.resize(base);
      }
      return {};
    }
    default: return {};
  }
}

}  // namespace

Result<std::string> expand_string(std::string_view text, const Value& dict) {
  std::string entry(text);
  for (int substitutions = 0;; ++substitutions) {
    size_t begin = entry.find("{{");
    if (begin == std::string::npos) return entry;
    size_t end = entry.find("}}", begin + 2);
    if (end == std::string::npos) {
      return Error(ResultCode::ApplicationConfigError,
                   "failed to find closing brackets for symbol beginning at position " +
                       std::to_string(begin));
    }
    if (substitutions >= kMaxSubstitutions || entry.size() > kMaxExpandedSize) {
      return Error(ResultCode::ApplicationConfigError, "too many substitutions expanding '" +
                                                           std::string(text) +
                                                           "' (does a field refer to itself?)");
    }
    auto value = symbol_value(std::string_view(entry).substr(begin + 2, end - begin - 2), dict);
    if (!value) return std::move(value).error();
    entry = entry.substr(0, begin) + *value + entry.substr(end + 2);
  }
}

Status expand_all(Value& dict, std::string_view display_name) {
  // Lookups read `dict` while strings in it are being replaced, as upstream's in-place walk does;
  // replacing a string's value leaves every other node where it is.
  std::string path;
  return expand_node(dict, dict, display_name, path);
}

}  // namespace ssf::config
