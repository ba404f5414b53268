// The yaml-cpp adapter: the only file that includes yaml-cpp. yaml-cpp parses YAML 1.2 and leaves
// plain scalars as text; upstream reads configs with PyYAML's SafeLoader (YAML 1.1), so scalars
// are resolved here with PyYAML's implicit resolvers (yaml/resolver.py) and built with its
// constructors (yaml/constructor.py). Quoted and block scalars carry the tag "!" and stay strings.

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <limits>
#include <optional>

#include "config/load.h"

namespace ssf::config {

namespace {

constexpr std::string_view kTag = "tag:yaml.org,2002:";
// An alias may repeat a subtree many times ("billion laughs"); bound the work.
constexpr size_t kMaxNodes = 100'000;
constexpr int kMaxDepth = 256;

// PyYAML's implicit resolvers (yaml/resolver.py), hand-written rather than std::regex, whose
// recursive matcher overflows the stack on long scalars.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool eat_any(std::string_view set) {
    if (i_ < s_.size() && set.find(s_[i_]) != std::string_view::npos) return ++i_, true;
    return false;
  }
  // Zero or more characters of `set`; returns how many.
  size_t eat_run(std::string_view set) {
    size_t start = i_;
    while (eat_any(set)) {
    }
    return i_ - start;
  }
  bool eat_word(std::string_view w) {
    if (s_.substr(i_).starts_with(w)) return i_ += w.size(), true;
    return false;
  }
  size_t pos() const { return i_; }
  void reset(size_t pos) { i_ = pos; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

constexpr std::string_view kDigits = "0123456789";
constexpr std::string_view kDigitsUnderscore = "0123456789_";

bool is_yaml_bool(std::string_view s) {
  for (std::string_view w : {"yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false",
                             "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"}) {
    if (s == w) return true;
  }
  return false;
}

// (?::[0-5]?[0-9])+
bool eat_sexagesimal_tail(Cursor& c) {
  size_t groups = 0;
  while (c.eat(':')) {
    size_t before = c.pos();
    size_t n = c.eat_run(kDigits);
    if (n == 0 || n > 2) return false;
    c.reset(before);
    if (n == 2 && !c.eat_any("012345")) return false;
    c.eat_any(kDigits);
    ++groups;
  }
  return groups > 0;
}

bool is_yaml_int(std::string_view s) {
  Cursor c(s);
  c.eat_any("-+");
  size_t start = c.pos();
  if (c.eat_word("0b")) return c.eat_run("01_") > 0 && c.done();
  if (c.eat_word("0x")) return c.eat_run("0123456789abcdefABCDEF_") > 0 && c.done();
  if (c.eat('0')) return c.done() || (c.eat_run("01234567_") > 0 && c.done());
  c.reset(start);
  if (!c.eat_any("123456789")) return false;
  c.eat_run(kDigitsUnderscore);
  if (c.done()) return true;
  return eat_sexagesimal_tail(c) && c.done();
}

// (?:[eE][-+][0-9]+)?$
bool eat_exponent_to_end(Cursor& c) {
  if (c.done()) return true;
  return c.eat_any("eE") && c.eat_any("-+") && c.eat_run(kDigits) > 0 && c.done();
}

bool is_yaml_float(std::string_view s) {
  Cursor c(s);
  if (c.eat('.')) {
    if (c.eat_word("inf") || c.eat_word("Inf") || c.eat_word("INF") || c.eat_word("nan") ||
        c.eat_word("NaN") || c.eat_word("NAN")) {
      return c.done();
    }
    return c.eat_any(kDigits) && (c.eat_run(kDigitsUnderscore), eat_exponent_to_end(c));
  }
  c.eat_any("-+");
  if (c.eat('.')) return (c.eat_word("inf") || c.eat_word("Inf") || c.eat_word("INF")) && c.done();
  if (!c.eat_any(kDigits)) return false;
  c.eat_run(kDigitsUnderscore);
  if (c.eat('.')) {
    c.eat_run(kDigitsUnderscore);
    return eat_exponent_to_end(c);
  }
  if (!eat_sexagesimal_tail(c) || !c.eat('.')) return false;
  c.eat_run(kDigitsUnderscore);
  return c.done();
}

Mark to_mark(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return Mark{m.line + 1, m.column + 1};
}

std::string remove_underscores(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_') out += c;
  }
  return out;
}

// Digits of `text` in `base`, or nullopt when empty, invalid or beyond int64.
std::optional<int64_t> parse_digits(std::string_view text, int base) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return std::nullopt;
    if (value > (std::numeric_limits<int64_t>::max() - d) / base) return std::nullopt;
    value = value * base + d;
  }
  return value;
}

// PyYAML's construct_yaml_int.
std::optional<int64_t> construct_int(std::string_view text) {
  std::string v = remove_underscores(text);
  if (v.empty()) return std::nullopt;
  int64_t sign = 1;
  if (v[0] == '-') sign = -1;
  if (v[0] == '-' || v[0] == '+') v.erase(0, 1);
  std::optional<int64_t> magnitude;
  if (v == "0") {
    magnitude = 0;
  } else if (v.starts_with("0b")) {
    magnitude = parse_digits(std::string_view(v).substr(2), 2);
  } else if (v.starts_with("0x")) {
    magnitude = parse_digits(std::string_view(v).substr(2), 16);
  } else if (!v.empty() && v[0] == '0') {
    magnitude = parse_digits(v, 8);
  } else if (v.find(':') != std::string::npos) {
    int64_t total = 0;
    for (const auto& part : split(v, ':')) {
      auto digit = parse_digits(part, 10);
      if (!digit || total > (std::numeric_limits<int64_t>::max() - *digit) / 60) {
        return std::nullopt;
      }
      total = total * 60 + *digit;
    }
    magnitude = total;
  } else {
    magnitude = parse_digits(v, 10);
  }
  if (!magnitude) return std::nullopt;
  return sign * *magnitude;
}

// PyYAML's construct_yaml_float.
std::optional<double> construct_float(std::string_view text) {
  std::string v = remove_underscores(text);
  for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (v.empty()) return std::nullopt;
  double sign = 1;
  if (v[0] == '-') sign = -1;
  if (v[0] == '-' || v[0] == '+') v.erase(0, 1);
  if (v == ".inf") return sign * std::numeric_limits<double>::infinity();
  if (v == ".nan") return std::numeric_limits<double>::quiet_NaN();
  auto to_double = [](const std::string& s) -> std::optional<double> {
    // Only what the float resolver lets through reaches here, so strtod's extra syntax
    // (hex, "infinity") cannot.
    if (s.empty() || s == ".") return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return std::nullopt;
    return d;
  };
  if (v.find(':') != std::string::npos) {
    auto parts = split(v, ':');
    double value = 0;
    double base = 1;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      auto d = to_double(*it);
      if (!d) return std::nullopt;
      value += *d * base;
      base *= 60;
    }
    return sign * value;
  }
  auto d = to_double(v);
  if (!d) return std::nullopt;
  return sign * *d;
}

class Converter {
 public:
  explicit Converter(std::string_view display) : display_(display) {}

  Result<Value> convert(const YAML::Node& node, int depth) {
    Mark mark = to_mark(node.Mark());
    if (++nodes_ > kMaxNodes || depth > kMaxDepth) {
      return error(mark, "document too large or too deeply nested");
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: return null_at(mark);
      case YAML::NodeType::Scalar: return scalar(node, mark);
      case YAML::NodeType::Sequence: {
        SSF_TRY(check_collection_tag(node, "seq", mark));
        Value::List items;
        for (const auto& child : node) {
          auto item = convert(child, depth + 1);
          if (!item) return std::move(item).error();
          items.push_back(std::move(*item));
        }
        return Value::list(std::move(items), mark);
      }
      case YAML::NodeType::Map: return map(node, mark, depth);
    }
    return Value();
  }

 private:
  static Value null_at(Mark mark) {
    Value v;
    v.set_mark(mark);
    return v;
  }

  Error error(Mark mark, std::string_view message) const {
    std::string where(display_);
    if (mark.line > 0) where += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
    return Error(ResultCode::ApplicationConfigError, where + ": " + std::string(message));
  }

  Status check_collection_tag(const YAML::Node& node, std::string_view kind, Mark mark) const {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!" || tag == std::string(kTag) + std::string(kind)) {
      return {};
    }
    return error(mark, "could not determine a constructor for the tag '" + tag + "'");
  }

  Result<Value> scalar(const YAML::Node& node, Mark mark) const {
    const std::string& text = node.Scalar();
    const std::string& tag = node.Tag();
    if (tag == "!") return Value::string(text, mark);
    if (tag == "?") return resolve_plain(text, mark);
    if (!tag.starts_with(kTag)) {
      return error(mark, "could not determine a constructor for the tag '" + tag + "'");
    }
    std::string_view type = std::string_view(tag).substr(kTag.size());
    if (type == "str" || type == "timestamp") return Value::string(text, mark);
    if (type == "null") return null_at(mark);
    if (type == "int") {
      if (auto i = construct_int(text)) return Value::integer(*i, mark);
      return error(mark, "invalid or out-of-range integer '" + text + "'");
    }
    if (type == "float") {
      if (auto d = construct_float(text)) return Value::floating(*d, mark);
      return error(mark, "invalid float '" + text + "'");
    }
    if (type == "bool") {
      std::string lower;
      for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "yes" || lower == "true" || lower == "on") return Value::boolean(true, mark);
      if (lower == "no" || lower == "false" || lower == "off") return Value::boolean(false, mark);
      return error(mark, "invalid boolean '" + text + "'");
    }
    return error(mark, "could not determine a constructor for the tag '" + tag + "'");
  }

  // yaml-cpp has already turned the null spellings (~, null, Null, NULL, empty) into Null nodes.
  Result<Value> resolve_plain(const std::string& text, Mark mark) const {
    if (text.empty()) return null_at(mark);
    char first = text[0];
    if (is_yaml_bool(text)) {
      return Value::boolean(first == 'y' || first == 'Y' || first == 't' || first == 'T' ||
                                text == "on" || text == "On" || text == "ON",
                            mark);
    }
    if (is_yaml_int(text)) {
      if (auto i = construct_int(text)) return Value::integer(*i, mark);
      return error(mark, "invalid or out-of-range integer '" + text + "'");
    }
    if (is_yaml_float(text)) {
      if (auto d = construct_float(text)) return Value::floating(*d, mark);
      return error(mark, "invalid float '" + text + "'");
    }
    return Value::string(text, mark);
  }

  Result<Value> map(const YAML::Node& node, Mark mark, int depth) {
    SSF_TRY(check_collection_tag(node, "map", mark));
    Value out = Value::map({}, mark);
    // PyYAML's flatten_mapping: merged entries come first, explicit ones override them, and of
    // several merged maps the earlier wins.
    std::vector<Value> merged;
    std::vector<std::pair<std::string, Value>> explicit_entries;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      Mark key_mark = to_mark(key_node.Mark());
      if (key_node.IsScalar() && key_node.Tag() == "?" && key_node.Scalar() == "<<") {
        auto source = convert(entry.second, depth + 1);
        if (!source) return std::move(source).error();
        if (source->kind() == Value::Kind::Map) {
          merged.push_back(std::move(*source));
        } else if (source->kind() == Value::Kind::List) {
          auto& maps = source->as_list();
          for (auto it = maps.rbegin(); it != maps.rend(); ++it) {
            if (it->kind() != Value::Kind::Map) {
              return error(it->mark(), "expected a mapping for merging");
            }
            merged.push_back(std::move(*it));
          }
        } else {
          return error(key_mark, "expected a mapping or list of mappings for merging");
        }
        continue;
      }
      if (!key_node.IsScalar() && !key_node.IsNull())
        return error(key_mark, "found unhashable key");
      auto key = convert(key_node, depth + 1);
      if (!key) return std::move(key).error();
      auto value = convert(entry.second, depth + 1);
      if (!value) return std::move(value).error();
      // An empty value is positioned at the next token; its key is the better place to point at.
      if (value->is_null() && entry.second.IsNull()) value->set_mark(key_mark);
      std::string key_text =
          key->kind() == Value::Kind::String ? key->as_string() : key->python_str();
      explicit_entries.emplace_back(std::move(key_text), std::move(*value));
    }
    for (auto& source : merged) {
      for (auto& [k, v] : source.as_map()) out.set(k, std::move(v));
    }
    for (auto& [k, v] : explicit_entries) out.set(k, std::move(v));
    return out;
  }

  std::string_view display_;
  size_t nodes_ = 0;
};

}  // namespace

Result<Value> parse_yaml(std::string_view text, std::string_view display_name) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    std::string where(display_name);
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Error(ResultCode::ApplicationConfigError, where + ": " + e.msg);
  } catch (const std::exception& e) {
    return Error(ResultCode::ApplicationConfigError, std::string(display_name) + ": " + e.what());
  }
  if (documents.empty()) return Value();
  if (documents.size() > 1) {
    Mark m = to_mark(documents[1].Mark());
    return Error(ResultCode::ApplicationConfigError,
                 std::string(display_name) + ":" + std::to_string(m.line) + ":" +
                     std::to_string(m.column) + ": expected a single document in the stream");
  }
  try {
    return Converter(display_name).convert(documents[0], 0);
  } catch (const YAML::Exception& e) {
    return Error(ResultCode::ApplicationConfigError, std::string(display_name) + ": " + e.msg);
  }
}

}  // namespace ssf::config
