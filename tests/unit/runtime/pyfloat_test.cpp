// Floats as Python writes them (repr) and as prometheus_client writes samples (floatToGoString).

#include <catch2/catch.hpp>
#include <limits>

#include "runtime/http.h"

namespace ssf::runtime {
namespace {

TEST_CASE("python_float matches Python's repr", "[runtime][pyfloat]") {
  struct Case {
    double value;
    const char* repr;
  };
  const Case cases[] = {
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1.0, "1.0"},
      {2.5, "2.5"},
      {0.1, "0.1"},
      {0.0001, "0.0001"},
      {0.00001, "1e-05"},
      {0.000012345, "1.2345e-05"},
      {0.0012345676422119141, "0.001234567642211914"},
      {123456.0, "123456.0"},
      {1e15, "1000000000000000.0"},
      {1e16, "1e+16"},
      {1.5e17, "1.5e+17"},
      {1e100, "1e+100"},
      {-3.25, "-3.25"},
      {1700000000.123, "1700000000.123"},
      {std::numeric_limits<double>::infinity(), "inf"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.repr);
    CHECK(python_float(c.value) == c.repr);
  }
}

TEST_CASE("go_float matches prometheus_client's floatToGoString", "[runtime][pyfloat]") {
  struct Case {
    double value;
    const char* text;
  };
  const Case cases[] = {
      {1.0, "1.0"},
      {0.75, "0.75"},
      {10, "10.0"},
      {60, "60.0"},
      {123456.0, "123456.0"},
      {1234567.0, "1.234567e+06"},
      {1000000000.0, "1e+09"},
      {1700000000.5, "1.7000000005e+09"},
      // The Python client writes "e+0" before any exponent, two digits or not.
      {12345678901.0, "1.2345678901e+010"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {-1234567.0, "-1234567.0"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK(go_float(c.value) == c.text);
  }
  CHECK(go_float(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

}  // namespace
}  // namespace ssf::runtime
