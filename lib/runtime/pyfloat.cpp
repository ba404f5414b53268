// Floats written as upstream's Python writes them: latency headers are str(float) and Prometheus
// samples go through prometheus_client's floatToGoString, so scrapers and tests that compare
// text ("... 1.0") see the same characters.

#include <charconv>
#include <cmath>
#include <string>

#include "runtime/http.h"

namespace ssf::runtime {

std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";

  // The shortest digits that read back as `value` (what Python's repr picks too), from
  // scientific notation: "-1.2345e-05".
  char buffer[64];
  auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string_view text(buffer, ec == std::errc() ? end - buffer : 0);
  std::string out;
  if (!text.empty() && text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  auto e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  int exponent = std::stoi(std::string(text.substr(e + 1)));
  // value = 0.<digits> × 10^point
  int point = exponent + 1;
  int count = static_cast<int>(digits.size());

  // Python's float_repr_style 'short' switches to exponent notation outside 1e-4 <= |x| < 1e16.
  if (point <= -4 || point > 16) {
    out += digits[0];
    if (count > 1) {
      out += '.';
      out.append(digits, 1);
    }
    int shown = point - 1;
    out += shown < 0 ? "e-" : "e+";
    std::string magnitude = std::to_string(std::abs(shown));
    if (magnitude.size() < 2) out += '0';
    out += magnitude;
    return out;
  }
  if (point <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-point), '0');
    out += digits;
  } else if (point >= count) {
    out += digits;
    out.append(static_cast<size_t>(point - count), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<size_t>(point));
    out += '.';
    out.append(digits, static_cast<size_t>(point));
  }
  return out;
}

std::string go_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::string s = python_float(value);
  auto dot = s.find('.');
  // floatToGoString: "Go switches to exponents sooner than Python" — for positive values with
  // more than six integer digits. Its exponent is written "e+0<n>" even when n has two digits.
  if (value > 0 && dot != std::string::npos && dot > 6) {
    std::string mantissa = s.substr(0, 1) + "." + s.substr(1, dot - 1) + s.substr(dot + 1);
    while (!mantissa.empty() && (mantissa.back() == '0' || mantissa.back() == '.')) {
      mantissa.pop_back();
    }
    return mantissa + "e+0" + std::to_string(dot - 1);
  }
  return s;
}

}  // namespace ssf::runtime
