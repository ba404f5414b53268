// --modify-config: upstream's utils.set_dict, walked on the Value tree. The reasons logged for a
// failing item follow upstream's wording so that users searching for them find the same story.

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "config/internal.h"
#include "config/load.h"

namespace ssf::config {

namespace internal {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Digits with single underscores between them, as Python's number literals; returns the digits.
std::optional<std::string> digits_with_underscores(std::string_view s) {
  if (s.empty() || !is_digit(s.front()) || !is_digit(s.back())) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '_') {
      if (!is_digit(s[i + 1])) return std::nullopt;  // s.back() is a digit, so i + 1 is valid
      continue;
    }
    if (!is_digit(s[i])) return std::nullopt;
    out += s[i];
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<int64_t> python_int(std::string_view text) {
  std::string_view s = trim(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  auto digits = digits_with_underscores(s);
  if (!digits) return std::nullopt;
  // Accumulate negatively so that INT64_MIN fits.
  int64_t value = 0;
  for (char c : *digits) {
    int d = c - '0';
    if (value < (std::numeric_limits<int64_t>::min() + d) / 10) return std::nullopt;
    value = value * 10 - d;
  }
  if (!negative) {
    if (value == std::numeric_limits<int64_t>::min()) return std::nullopt;
    value = -value;
  }
  return value;
}

std::optional<double> python_float(std::string_view text) {
  std::string_view s = trim(text);
  std::string sign;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    sign = std::string(1, s[0]);
    s.remove_prefix(1);
  }
  std::string word = lower(s);
  if (word == "inf" || word == "infinity") {
    return sign == "-" ? -std::numeric_limits<double>::infinity()
                       : std::numeric_limits<double>::infinity();
  }
  if (word == "nan") return std::numeric_limits<double>::quiet_NaN();

  // mantissa: digits [. [digits]] | . digits ; exponent: [eE] [sign] digits
  size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  std::string normal = sign;
  size_t dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  if (!whole.empty()) {
    auto d = digits_with_underscores(whole);
    if (!d) return std::nullopt;
    normal += *d;
  }
  if (!fraction.empty()) {
    auto d = digits_with_underscores(fraction);
    if (!d) return std::nullopt;
    normal += "." + *d;
  }
  if (e != std::string_view::npos) {
    std::string_view exponent = s.substr(e + 1);
    normal += 'e';
    if (!exponent.empty() && (exponent[0] == '-' || exponent[0] == '+')) {
      normal += exponent[0];
      exponent.remove_prefix(1);
    }
    auto d = digits_with_underscores(exponent);
    if (!d) return std::nullopt;
    normal += *d;
  }
  return std::strtod(normal.c_str(), nullptr);
}

Error config_error(std::string_view display, Mark mark, std::string_view path,
                   std::string_view message) {
  std::string text(display);
  if (mark.line > 0) text += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  text += ": ";
  if (!path.empty()) text += std::string(path) + ": ";
  text += message;
  return Error(ResultCode::ApplicationConfigError, std::move(text));
}

}  // namespace internal

namespace {

// A failed item, with the reason upstream logs.
struct Failure {
  std::string reason;
};

// An existing scalar takes the new value cast to its own type, as Python's type(old)(value).
std::optional<Failure> assign_typed(Value& target, const std::string& name,
                                    const std::string& value) {
  auto fail = [&] {
    return Failure{"failed to set existing field value '" + name +
                   "' = " + std::string(kind_name(target.kind())) + "(" + value + ")"};
  };
  switch (target.kind()) {
    case Value::Kind::Bool:
      if (value != "True" && value != "False") return fail();
      target = Value::boolean(value == "True");
      return std::nullopt;
    case Value::Kind::Int:
      if (auto i = internal::python_int(value)) {
        target = Value::integer(*i);
        return std::nullopt;
      }
      return fail();
    case Value::Kind::Float:
      if (auto d = internal::python_float(value)) {
        target = Value::floating(*d);
        return std::nullopt;
      }
      return fail();
    case Value::Kind::String:
    // Upstream fails on a null field (NoneType(value) raises); gc-ssf stores the string, as it
    // does for a new field.
    case Value::Kind::Null: target = Value::string(value); return std::nullopt;
    case Value::Kind::List:
    case Value::Kind::Map: break;
  }
  return Failure{"'" + name + "' references an existing non-leaf field"};
}

std::optional<Failure> set_dict(Value& root, const std::string& symbol, const std::string& value) {
  std::vector<std::string> parts = split(symbol, '.');
  Value* d = &root;
  for (size_t i = 0; i < parts.size(); ++i) {
    bool last = i + 1 == parts.size();
    if (d->kind() != Value::Kind::Map) {
      return Failure{"'" + symbol + "' does not reference a field of a map"};
    }
    std::string name = parts[i];
    std::optional<size_t> idx;
    if (size_t open = name.find('['); open != std::string::npos) {
      size_t close = name.find(']', open);
      auto index =
          close == std::string::npos
              ? std::nullopt
              : internal::python_int(std::string_view(name).substr(open + 1, close - open - 1));
      if (!index || *index < 0 || close + 1 != name.size() || *index > 1'000'000) {
        return Failure{"'" + name + "' is not a valid list index"};
      }
      idx = static_cast<size_t>(*index);
      name.erase(open);
    }
    std::string label = idx ? name + "[" + std::to_string(*idx) + "]" : name;

    Value* existing = d->find(name);
    if (existing && idx && existing->kind() != Value::Kind::List) {
      return Failure{"'" + label + "' is not valid for non-list field"};
    }
    if (existing && !idx && existing->kind() == Value::Kind::List) {
      return Failure{"'" + name + "' is a list; index required `" + name + "[<idx>]`"};
    }

    if (!existing) {
      if (last) {
        if (idx) {
          Value::List items(*idx + 1);
          items[*idx] = Value::string(value);
          d->set(name, Value::list(std::move(items)));
        } else {
          d->set(name, Value::string(value));
        }
        return std::nullopt;
      }
      if (idx) {
        Value::List items(*idx + 1);
        items[*idx] = Value::map();
        d = &d->set(name, Value::list(std::move(items))).as_list()[*idx];
      } else {
        d = &d->set(name, Value::map());
      }
      continue;
    }

    Value* target = existing;
    if (idx) {
      auto& items = existing->as_list();
      if (items.size() <= *idx) items.resize(*idx + 1);
      target = &items[*idx];
    }
    if (!target->is_scalar()) {
      d = target;
      continue;
    }
    if (!last) return Failure{"'" + symbol + "' includes an existing leaf field '" + label + "'"};
    return assign_typed(*target, label, value);
  }
  return Failure{"'" + symbol + "' references an existing non-leaf field"};
}

}  // namespace

Status modify_config(Value& dict, std::string_view spec) {
  std::vector<std::string> items = split(spec, ';');
  // "a=1;b=2;" is how upstream's help spells the syntax, so a final ';' ends the list.
  if (!items.empty() && items.back().empty()) items.pop_back();
  size_t failures = 0;
  for (const auto& item : items) {
    log::info("Modify config: {}", item);
    std::vector<std::string> field_value = split(item, '=');
    if (field_value.size() != 2) {
      ++failures;
      log::error("Modify config failure with '{}', requires '<field>=<value>'", item);
      continue;
    }
    if (auto failure = set_dict(dict, field_value[0], field_value[1])) {
      ++failures;
      log::warning("set dict: {}", failure->reason);
      log::error("Config field can not be set with `{}`", item);
    }
  }
  if (failures > 0) {
    return Error(ResultCode::ApplicationConfigError,
                 "Failed to modify config with `" + python_list_repr(items) + "`");
  }
  return {};
}

}  // namespace ssf::config
