// Python's int() and float() of a str, which pydantic v1 applies to strings and the generated
// endpoint to outputs.

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "types/internal.h"

namespace ssf::types::internal {

namespace {

// digit (["_"] digit)*, as PEP 515 allows in int() and float(); the digits without underscores.
std::optional<std::string> digit_part(std::string_view s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front())) ||
      !std::isdigit(static_cast<unsigned char>(s.back()))) {
    return std::nullopt;
  }
  std::string digits;
  digits.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') {
      if (s[i - 1] == '_') return std::nullopt;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
  }
  return digits;
}

bool equals_lower(std::string_view s, std::string_view lower_word) {
  if (s.size() != lower_word.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower_word[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<int64_t> python_int(std::string_view text) {
  std::string_view s = python_strip(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  auto digits = digit_part(s);
  if (!digits) return std::nullopt;
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits->data(), digits->data() + digits->size(), magnitude);
  if (ec != std::errc() || end != digits->data() + digits->size()) return std::nullopt;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return magnitude == kMax + 1 ? std::numeric_limits<int64_t>::min()
                                 : -static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<int64_t>(magnitude);
}

std::optional<double> python_float(std::string_view text) {
  std::string_view s = python_strip(text);
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  double sign = negative ? -1.0 : 1.0;
  if (equals_lower(s, "inf") || equals_lower(s, "infinity")) {
    return sign * std::numeric_limits<double>::infinity();
  }
  if (equals_lower(s, "nan")) return std::numeric_limits<double>::quiet_NaN();

  size_t e = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, e);
  size_t dot = mantissa.find('.');
  std::string_view whole = mantissa.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  std::string normal;
  if (!whole.empty()) {
    auto d = digit_part(whole);
    if (!d) return std::nullopt;
    normal += *d;
  }
  if (!fraction.empty()) {
    auto d = digit_part(fraction);
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
    auto d = digit_part(exponent);
    if (!d) return std::nullopt;
    normal += *d;
  }
  double value = 0;
  auto [end, ec] = std::from_chars(normal.data(), normal.data() + normal.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves the value alone; strtod gives what Python does (inf, or 0 / subnormal).
    value = std::strtod(normal.c_str(), nullptr);
  } else if (ec != std::errc() || end != normal.data() + normal.size()) {
    return std::nullopt;
  }
  return sign * value;
}

std::optional<int64_t> python_int_of_float(double d) {
  if (!std::isfinite(d)) return std::nullopt;
  double t = std::trunc(d);
  // 2^63 is exact in a double; every double below it converts without overflow.
  if (t < -9223372036854775808.0 || t >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(t);
}

}  // namespace ssf::types::internal
