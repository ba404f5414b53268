// Python's view of text, for a module that keeps Python strings as UTF-8 bytes.

#include <cstdio>

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

struct Decoded {
  char32_t code_point = 0;
  size_t length = 0;  // bytes used; when !valid, the maximal invalid subpart (at least 1)
  bool valid = false;
};

// One UTF-8 sequence at `i`, with the well-formed ranges of Unicode's table 3-7. An invalid
// sequence reports how far its valid prefix went, which is what Python replaces as one U+FFFD.
Decoded decode_at(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b0 = byte(i);
  if (b0 < 0x80) return {b0, 1, true};
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  char32_t cp = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    cp = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;
    if (b0 == 0xed) hi = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;
  } else {
    return {0, 1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (i + k >= s.size()) return {0, k, false};
    unsigned char b = byte(i + k);
    unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xbf;
    if (b < min || b > max) return {0, k, false};
    cp = (cp << 6) | (b & 0x3f);
  }
  return {cp, need + 1, true};
}

}  // namespace

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

namespace {

// str.isspace(): the code points whose bidirectional type is WS, B or S, or whose category is Zs.
bool is_python_space(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0 ||
         cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 ||
         cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

}  // namespace

bool is_utf8(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size();) {
    Decoded d = decode_at(bytes, i);
    if (!d.valid) return false;
    i += d.length;
  }
  return true;
}

std::string utf8_replace(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    Decoded d = decode_at(bytes, i);
    if (d.valid) {
      out.append(bytes.substr(i, d.length));
    } else {
      out += "\xef\xbf\xbd";
    }
    i += d.length;
  }
  return out;
}

std::string latin1_to_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (char c : bytes) append_utf8(static_cast<unsigned char>(c), out);
  return out;
}

std::string utf8_or_latin1(std::string_view bytes) {
  return is_utf8(bytes) ? std::string(bytes) : latin1_to_utf8(bytes);
}

std::optional<std::string> utf8_to_latin1(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    Decoded d = decode_at(utf8, i);
    if (!d.valid || d.code_point > 0xff) return std::nullopt;
    out += static_cast<char>(d.code_point);
    i += d.length;
  }
  return out;
}

size_t code_point_count(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++n;
  }
  return n;
}

std::string_view python_strip(std::string_view utf8) {
  size_t begin = 0;
  while (begin < utf8.size()) {
    Decoded d = decode_at(utf8, begin);
    if (!d.valid || !is_python_space(d.code_point)) break;
    begin += d.length;
  }
  size_t end = utf8.size();
  while (end > begin) {
    // Step back to the start of the last code point.
    size_t start = end - 1;
    while (start > begin && (static_cast<unsigned char>(utf8[start]) & 0xc0) == 0x80) --start;
    Decoded d = decode_at(utf8, start);
    if (!d.valid || start + d.length != end || !is_python_space(d.code_point)) break;
    end = start;
  }
  return utf8.substr(begin, end - begin);
}

std::vector<std::string> code_points(std::string_view utf8) {
  std::vector<std::string> out;
  for (size_t i = 0; i < utf8.size();) {
    Decoded d = decode_at(utf8, i);
    out.emplace_back(utf8.substr(i, d.length));
    i += d.length;
  }
  return out;
}

std::string python_bytes_repr(std::string_view bytes) {
  bool double_quoted =
      bytes.find('\'') != std::string_view::npos && bytes.find('"') == std::string_view::npos;
  char quote = double_quoted ? '"' : '\'';
  std::string out = "b";
  out += quote;
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

}  // namespace ssf::types::internal
