// A JSON decoder that is Python's json.loads, down to its error messages and positions.
//
// Why not nlohmann-json: FastAPI answers a malformed body with the JSONDecodeError's message,
// position and the whole document (ssf-behaviour.md §3), and Python's grammar is a superset
// (NaN, Infinity, -Infinity, which json.dumps also writes into application results). The
// structure follows CPython's Modules/_json.c scanner (scan_once, _parse_object, _parse_array,
// scanstring, _match_number) so that the first error found is the one Python finds.

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <unordered_map>

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

using config::Value;

// Python's recursion limit (1000) less the frames above json.loads in a FastAPI handler: deeper
// documents got a RecursionError, which upstream answered with a 400.
constexpr int kMaxDepth = 975;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Decoder {
 public:
  explicit Decoder(std::string_view text) : s_(text), n_(text.size()) {}

  JsonDecoded decode() {
    size_t idx = skip_ws(0);
    size_t next = 0;
    std::optional<Value> value = scan_once(idx, next, 0);
    if (value) {
      next = skip_ws(next);
      if (next != n_) fail("Extra data", next);
    }
    if (too_deep_) return JsonTooDeep{};
    if (error_at_) return decode_error();
    return std::move(*value);
  }

 private:
  size_t skip_ws(size_t idx) const {
    while (idx < n_ && is_ws(s_[idx])) ++idx;
    return idx;
  }

  std::nullopt_t fail(const char* msg, size_t at) {
    error_msg_ = msg;
    error_at_ = at;
    return std::nullopt;
  }

  JsonDecodeError decode_error() const {
    std::string_view before = s_.substr(0, *error_at_);
    JsonDecodeError e;
    e.msg = error_msg_;
    e.pos = code_point_count(before);
    size_t newline = before.rfind('\n');
    if (newline == std::string_view::npos) {
      e.colno = e.pos + 1;
    } else {
      e.lineno = 1;
      for (char c : before) e.lineno += c == '\n';
      e.colno = e.pos - code_point_count(before.substr(0, newline));
    }
    return e;
  }

  bool literal_at(size_t idx, std::string_view word) const {
    return s_.substr(idx, word.size()) == word;
  }

  std::optional<Value> scan_once(size_t idx, size_t& next, int depth) {
    if (idx >= n_) return fail("Expecting value", idx);
    switch (s_[idx]) {
      case '"': {
        auto text = scan_string(idx + 1, next);
        if (!text) return std::nullopt;
        return Value::string(std::move(*text));
      }
      case '{':
      case '[':
        if (depth + 1 > kMaxDepth) {
          too_deep_ = true;
          return std::nullopt;
        }
        return s_[idx] == '{' ? parse_object(idx + 1, next, depth + 1)
                              : parse_array(idx + 1, next, depth + 1);
      case 'n':
        if (literal_at(idx, "null")) {
          next = idx + 4;
          return Value();
        }
        break;
      case 't':
        if (literal_at(idx, "true")) {
          next = idx + 4;
          return Value::boolean(true);
        }
        break;
      case 'f':
        if (literal_at(idx, "false")) {
          next = idx + 5;
          return Value::boolean(false);
        }
        break;
      case 'N':
        if (literal_at(idx, "NaN")) {
          next = idx + 3;
          return Value::floating(std::numeric_limits<double>::quiet_NaN());
        }
        break;
      case 'I':
        if (literal_at(idx, "Infinity")) {
          next = idx + 8;
          return Value::floating(std::numeric_limits<double>::infinity());
        }
        break;
      case '-':
        if (literal_at(idx, "-Infinity")) {
          next = idx + 9;
          return Value::floating(-std::numeric_limits<double>::infinity());
        }
        break;
      default: break;
    }
    return match_number(idx, next);
  }

  std::optional<Value> match_number(size_t start, size_t& next) {
    size_t idx = start;
    if (s_[idx] == '-') {
      if (++idx >= n_) return fail("Expecting value", start);
    }
    if (s_[idx] >= '1' && s_[idx] <= '9') {
      while (++idx < n_ && is_digit(s_[idx])) {
      }
    } else if (s_[idx] == '0') {
      ++idx;
    } else {
      return fail("Expecting value", start);
    }
    bool is_float = false;
    // As _match_number: a '.' or an exponent counts only when something follows it.
    if (idx + 1 < n_ && s_[idx] == '.' && is_digit(s_[idx + 1])) {
      is_float = true;
      idx += 2;
      while (idx < n_ && is_digit(s_[idx])) ++idx;
    }
    if (idx + 1 < n_ && (s_[idx] == 'e' || s_[idx] == 'E')) {
      size_t e_start = idx++;
      if (idx + 1 < n_ && (s_[idx] == '-' || s_[idx] == '+')) ++idx;
      while (idx < n_ && is_digit(s_[idx])) ++idx;
      if (is_digit(s_[idx - 1])) {
        is_float = true;
      } else {
        idx = e_start;
      }
    }
    next = idx;
    std::string_view text = s_.substr(start, idx - start);
    if (!is_float) {
      int64_t i = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
      if (ec == std::errc() && end == text.data() + text.size()) return Value::integer(i);
    }
    // A float, or an integer beyond int64 (Python keeps it exact; a double is the nearest).
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec == std::errc::result_out_of_range) d = std::strtod(std::string(text).c_str(), nullptr);
    return Value::floating(d);
  }

  // From just after the opening quote; `next` is just after the closing one.
  std::optional<std::string> scan_string(size_t idx, size_t& next) {
    size_t begin = idx - 1;
    std::string out;
    size_t end = idx;
    while (true) {
      size_t p = end;
      while (p < n_ && s_[p] != '"' && s_[p] != '\\') {
        if (static_cast<unsigned char>(s_[p]) <= 0x1f) {
          return fail("Invalid control character at", p);
        }
        ++p;
      }
      if (p >= n_) return fail("Unterminated string starting at", begin);
      out.append(s_.substr(end, p - end));
      if (s_[p] == '"') {
        next = p + 1;
        return out;
      }
      if (p + 1 >= n_) return fail("Unterminated string starting at", begin);
      char c = s_[p + 1];
      if (c != 'u') {
        end = p + 2;
        switch (c) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          default: return fail("Invalid \\escape", p);
        }
        continue;
      }
      // p: the backslash; p + 1: 'u'; the digits at p + 2 .. p + 5.
      end = p + 6;
      if (end >= n_) return fail("Invalid \\uXXXX escape", p + 1);
      auto unit = hex4(p + 2);
      if (!unit) return fail("Invalid \\uXXXX escape", p + 1);
      char32_t cp = *unit;
      if (cp >= 0xd800 && cp <= 0xdbff && end + 6 < n_ && s_[end] == '\\' && s_[end + 1] == 'u') {
        auto low = hex4(end + 2);
        if (!low) return fail("Invalid \\uXXXX escape", end + 1);
        if (*low >= 0xdc00 && *low <= 0xdfff) {
          cp = 0x10000 + ((cp - 0xd800) << 10) + (*low - 0xdc00);
          end += 6;
        }
      }
      // Python keeps a lone surrogate in its str; UTF-8 cannot, so it becomes U+FFFD.
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      append_utf8(cp, out);
    }
  }

  std::optional<char32_t> hex4(size_t at) const {
    char32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      int h = hex_value(s_[at + k]);
      if (h < 0) return std::nullopt;
      v = (v << 4) | static_cast<char32_t>(h);
    }
    return v;
  }

  std::optional<Value> parse_object(size_t idx, size_t& next, int depth) {
    Value::Map entries;
    // Key → index in `entries`, so that many keys do not make duplicate detection quadratic.
    std::unordered_map<std::string, size_t> index;
    idx = skip_ws(idx);
    if (idx >= n_ || s_[idx] != '}') {
      while (true) {
        if (idx >= n_ || s_[idx] != '"') {
          return fail("Expecting property name enclosed in double quotes", idx);
        }
        auto key = scan_string(idx + 1, idx);
        if (!key) return std::nullopt;
        idx = skip_ws(idx);
        if (idx >= n_ || s_[idx] != ':') return fail("Expecting ':' delimiter", idx);
        idx = skip_ws(idx + 1);
        auto value = scan_once(idx, idx, depth);
        if (!value) return std::nullopt;
        auto [it, inserted] = index.try_emplace(*key, entries.size());
        if (inserted) {
          entries.emplace_back(std::move(*key), std::move(*value));
        } else {
          entries[it->second].second = std::move(*value);
        }
        idx = skip_ws(idx);
        if (idx < n_ && s_[idx] == '}') break;
        if (idx >= n_ || s_[idx] != ',') return fail("Expecting ',' delimiter", idx);
        idx = skip_ws(idx + 1);
      }
    }
    next = idx + 1;
    return Value::map(std::move(entries));
  }

  std::optional<Value> parse_array(size_t idx, size_t& next, int depth) {
    Value::List items;
    idx = skip_ws(idx);
    if (idx >= n_ || s_[idx] != ']') {
      while (true) {
        auto value = scan_once(idx, idx, depth);
        if (!value) return std::nullopt;
        items.push_back(std::move(*value));
        idx = skip_ws(idx);
        if (idx < n_ && s_[idx] == ']') break;
        if (idx >= n_ || s_[idx] != ',') return fail("Expecting ',' delimiter", idx);
        idx = skip_ws(idx + 1);
      }
    }
    next = idx + 1;
    return Value::list(std::move(items));
  }

  std::string_view s_;
  size_t n_;
  const char* error_msg_ = "";
  std::optional<size_t> error_at_;
  bool too_deep_ = false;
};

}  // namespace

std::string JsonDecodeError::message() const {
  return msg + ": line " + std::to_string(lineno) + " column " + std::to_string(colno) + " (char " +
         std::to_string(pos) + ")";
}

JsonDecoded decode_json(std::string_view text) { return Decoder(text).decode(); }

}  // namespace ssf::types::internal

namespace ssf::types {

Result<config::Value> parse_json(std::string_view text) {
  if (!internal::is_utf8(text)) {
    return Error(ResultCode::InternalError, "invalid JSON: the text is not UTF-8");
  }
  auto decoded = internal::decode_json(text);
  if (auto* value = std::get_if<config::Value>(&decoded)) return std::move(*value);
  if (auto* error = std::get_if<internal::JsonDecodeError>(&decoded)) {
    return Error(ResultCode::InternalError, "invalid JSON: " + error->message());
  }
  return Error(ResultCode::InternalError, "invalid JSON: nested too deeply");
}

}  // namespace ssf::types
