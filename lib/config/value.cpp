#include "config/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ssf::config {

namespace {

template <typename T, typename D>
auto& get_or_abort(D& data) {
  auto* p = std::get_if<T>(&data);
  if (!p) std::abort();  // a bug: the caller did not check kind()
  return *p;
}

// Python's repr(float), the 'short' style: the shortest digits that read back as the same double,
// fixed notation for decimal exponents in [-4, 16), scientific with a signed, two-digit exponent
// otherwise ("1e+16", "1e-05"), and a ".0" on integral values.
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  size_t e = s.find('e');
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  std::string digits;
  for (char c : s.substr(0, e)) {
    if (c != '.') digits += c;
  }

  std::string out = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      size_t int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits[0];
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp_text[16];
  std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return out + exp_text;
}

// Python's repr(str): single quotes unless the text holds a single quote and no double one.
std::string string_repr(const std::string& s) {
  bool double_quoted = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  char quote = double_quoted ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    char hex[8];
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      // U+0080..U+009F are not printable, so Python escapes them too.
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(s[++i]));
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\u%04x", c);
          out += hex;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

// `nested`: inside a list or map, where Python shows repr() of strings.
void append_python(const Value& v, bool nested, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::Null: out += "None"; return;
    case Value::Kind::Bool: out += v.as_bool() ? "True" : "False"; return;
    case Value::Kind::Int: out += std::to_string(v.as_int()); return;
    case Value::Kind::Float: out += float_repr(v.as_float()); return;
    case Value::Kind::String: out += nested ? string_repr(v.as_string()) : v.as_string(); return;
    case Value::Kind::List: {
      out += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out += ", ";
        first = false;
        append_python(item, true, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::Map: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ", ";
        first = false;
        out += string_repr(key) + ": ";
        append_python(item, true, out);
      }
      out += '}';
      return;
    }
  }
}

void append_json(const Value& v, std::string& out) {
  switch (v.kind()) {
    case Value::Kind::Null: out += "null"; return;
    case Value::Kind::Bool: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.as_int()); return;
    case Value::Kind::Float: {
      // Spelled as Python's json module does, which is what reads it back.
      double d = v.as_float();
      if (std::isnan(d))
        out += "NaN";
      else if (std::isinf(d))
        out += d < 0 ? "-Infinity" : "Infinity";
      else
        out += float_repr(d);
      return;
    }
    case Value::Kind::String: out += json_string(v.as_string()); return;
    case Value::Kind::List: {
      out += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out += ',';
        first = false;
        append_json(item, out);
      }
      out += ']';
      return;
    }
    case Value::Kind::Map: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ',';
        first = false;
        out += json_string(key) + ":";
        append_json(item, out);
      }
      out += '}';
      return;
    }
  }
}

}  // namespace

Value Value::boolean(bool b, Mark m) {
  Value v;
  v.data_ = b;
  v.mark_ = m;
  return v;
}

Value Value::integer(int64_t i, Mark m) {
  Value v;
  v.data_ = i;
  v.mark_ = m;
  return v;
}

Value Value::floating(double d, Mark m) {
  Value v;
  v.data_ = d;
  v.mark_ = m;
  return v;
}

Value Value::string(std::string s, Mark m) {
  Value v;
  v.data_ = std::move(s);
  v.mark_ = m;
  return v;
}

Value Value::list(List items, Mark m) {
  Value v;
  v.data_ = std::move(items);
  v.mark_ = m;
  return v;
}

Value Value::map(Map entries, Mark m) {
  Value v;
  v.data_ = std::move(entries);
  v.mark_ = m;
  return v;
}

bool Value::as_bool() const { return get_or_abort<bool>(data_); }
int64_t Value::as_int() const { return get_or_abort<int64_t>(data_); }
double Value::as_float() const { return get_or_abort<double>(data_); }
const std::string& Value::as_string() const { return get_or_abort<std::string>(data_); }
const Value::List& Value::as_list() const { return get_or_abort<List>(data_); }
Value::List& Value::as_list() { return get_or_abort<List>(data_); }
const Value::Map& Value::as_map() const { return get_or_abort<Map>(data_); }
Value::Map& Value::as_map() { return get_or_abort<Map>(data_); }

const Value* Value::find(std::string_view key) const {
  const auto* entries = std::get_if<Map>(&data_);
  if (!entries) return nullptr;
  for (const auto& [k, v] : *entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

Value& Value::set(std::string_view key, Value value) {
  // As a Python dict: a key keeps its first position and takes the last value.
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  auto& entries = as_map();
  entries.emplace_back(std::string(key), std::move(value));
  return entries.back().second;
}

std::string Value::python_str() const {
  std::string out;
  append_python(*this, false, out);
  return out;
}

std::string Value::to_json() const {
  std::string out;
  append_json(*this, out);
  return out;
}

bool Value::operator==(const Value& other) const { return data_ == other.data_; }

std::string_view kind_name(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::Null: return "null";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return "string";
    case Value::Kind::List: return "list";
    case Value::Kind::Map: return "map";
  }
  return "unknown";
}

}  // namespace ssf::config
