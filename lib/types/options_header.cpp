// python-multipart 0.0.6's parse_options_header(), which Starlette used for the request's
// Content-Type and each part's Content-Disposition. Its parameters come from a regular
// expression applied with re.finditer:
//   (?:;|^)\s*([^SPECIAL]+)\s*=\s*([^SPECIAL]+|"(?:\\.|[^"])*")     SPECIAL: ()<>@,;:\"/[]?={} \t
// matched here by hand, backtracking included, so that odd headers split the same way.

#include "types/multipart.h"

namespace ssf::types::internal {

namespace {

bool is_special(char c) {
  return std::string_view("()<>@,;:\\\"/[]?={} \t").find(c) != std::string_view::npos;
}

// Python's bytes regex \s.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

size_t token_end(std::string_view s, size_t i) {
  while (i < s.size() && !is_special(s[i])) ++i;
  return i;
}

// "(?:\\.|[^"])*" from the opening quote at `i`: the end of the match, or npos. The greedy loop
// stops at the first quote no escape pair covers; when there is none, backtracking ends the
// match at the last escaped quote instead (its backslash then taken as a plain character).
size_t quoted_end(std::string_view s, size_t i) {
  size_t last_escaped_quote = std::string_view::npos;
  for (size_t k = i + 1; k < s.size(); ++k) {
    if (s[k] == '"') return k + 1;
    if (s[k] == '\\' && k + 1 < s.size() && s[k + 1] != '\n') {
      if (s[k + 1] == '"') last_escaped_quote = k + 1;
      ++k;
    }
  }
  return last_escaped_quote == std::string_view::npos ? last_escaped_quote : last_escaped_quote + 1;
}

// The value alternatives at `i`: the end of the match, or npos.
size_t value_end(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (!is_special(s[i])) return token_end(s, i);
  if (s[i] == '"') return quoted_end(s, i);
  return std::string_view::npos;
}

struct Match {
  std::string_view key, value;
  size_t end = 0;
};

// The option at `p`. Each \s* is greedy, and given back one character at a time when what
// follows fails: a key or a token may begin with \n, \r, \f or \v, which are not SPECIAL.
std::optional<Match> match_at(std::string_view s, size_t p) {
  size_t start;
  if (p < s.size() && s[p] == ';') {
    start = p + 1;
  } else if (p == 0) {
    start = 0;
  } else {
    return std::nullopt;
  }
  size_t spaces_end = skip_spaces(s, start);
  for (size_t k = spaces_end + 1; k-- > start;) {
    if (k >= s.size() || is_special(s[k])) continue;
    size_t key_end = token_end(s, k);
    size_t eq = skip_spaces(s, key_end);
    if (eq >= s.size() || s[eq] != '=') continue;
    size_t value_start = eq + 1;
    size_t value_spaces_end = skip_spaces(s, value_start);
    for (size_t v = value_spaces_end + 1; v-- > value_start;) {
      size_t end = value_end(s, v);
      if (end != std::string_view::npos) {
        return Match{s.substr(k, key_end - k), s.substr(v, end - v), end};
      }
    }
  }
  return std::nullopt;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t at = 0;
  for (size_t found; (found = text.find(from, at)) != std::string_view::npos;) {
    out.append(text.substr(at, found - at));
    out.append(to);
    at = found + from.size();
  }
  out.append(text.substr(at));
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

const std::string* OptionsHeader::find(std::string_view name) const {
  for (auto it = params.rbegin(); it != params.rend(); ++it) {
    if (it->first == name) return &it->second;
  }
  return nullptr;
}

OptionsHeader parse_options_header(std::string_view header) {
  OptionsHeader out;
  size_t semicolon = header.find(';');
  if (semicolon == std::string_view::npos) {
    // bytes.strip(): ASCII whitespace.
    size_t b = skip_spaces(header, 0), e = header.size();
    while (e > b && is_space(header[e - 1])) --e;
    out.value = ascii_lower(header.substr(b, e - b));
    return out;
  }
  out.value = std::string(header.substr(0, semicolon));
  std::string_view rest = header.substr(semicolon + 1);
  for (size_t p = 0; p <= rest.size();) {
    auto m = match_at(rest, p);
    if (!m) {
      ++p;
      continue;
    }
    std::string value(m->value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      // Not an unescaping: two replacements, in this order, as python-multipart does them.
      value = replace_all(std::string_view(value).substr(1, value.size() - 2), "\\\\", "\\");
      value = replace_all(value, "\\\"", "\"");
    }
    std::string key = ascii_lower(m->key);
    if (key == "filename") {
      // Internet Explorer 6 sent the full path ("C:\dir\a.wav"): keep its last component.
      std::string_view v = value;
      if ((v.size() >= 3 && v.substr(1, 2) == ":\\") || v.substr(0, 2) == "\\\\") {
        value = std::string(v.substr(v.rfind('\\') + 1));
      }
    }
    out.params.emplace_back(std::move(key), std::move(value));
    p = m->end;
  }
  return out;
}

}  // namespace ssf::types::internal
