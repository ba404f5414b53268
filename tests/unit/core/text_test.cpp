#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/core.h"

namespace ssf {

using Strings = std::vector<std::string>;

TEST_CASE("split cuts on every separator, as Python's str.split(sep)", "[text]") {
  CHECK(split("a,b,c", ',') == Strings{"a", "b", "c"});
  CHECK(split("a,,b", ',') == Strings{"a", "", "b"});
  CHECK(split("", ',') == Strings{""});
  CHECK(split(",", ',') == Strings{"", ""});
  CHECK(split("a,", ',') == Strings{"a", ""});
  CHECK(split("abc", ',') == Strings{"abc"});
  CHECK(split(" a , b ", ',') == Strings{" a ", " b "});
}

TEST_CASE("split_whitespace drops empty pieces, as Python's str.split()", "[text]") {
  CHECK(split_whitespace("numpy  requests\tpyyaml\n") == Strings{"numpy", "requests", "pyyaml"});
  CHECK(split_whitespace("  leading and trailing  ") == Strings{"leading", "and", "trailing"});
  CHECK(split_whitespace("") == Strings{});
  CHECK(split_whitespace(" \t\r\n ") == Strings{});
  CHECK(split_whitespace("one") == Strings{"one"});
}

TEST_CASE("trim removes surrounding whitespace only", "[text]") {
  CHECK(trim("  a b  ") == "a b");
  CHECK(trim("\t\na\r\n") == "a");
  CHECK(trim("") == "");
  CHECK(trim("   ") == "");
  CHECK(trim("x") == "x");
}

TEST_CASE("join puts the separator between parts", "[text]") {
  CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(join({"a"}, ", ") == "a");
  CHECK(join({}, ", ") == "");
  CHECK(join({"", ""}, "/") == "/");
}

TEST_CASE("starts_with and ends_with", "[text]") {
  CHECK(starts_with("ssf_config.yaml", "ssf_"));
  CHECK_FALSE(starts_with("ss", "ssf"));
  CHECK(starts_with("x", ""));
  CHECK(ends_with("ssf_config.yaml", ".yaml"));
  CHECK_FALSE(ends_with("ml", ".yaml"));
  CHECK(ends_with("x", ""));
}

TEST_CASE("python_list_repr prints a list of strings as Python's repr()", "[text]") {
  CHECK(python_list_repr({}) == "[]");
  CHECK(python_list_repr({"a"}) == "['a']");
  CHECK(python_list_repr({"a", "b"}) == "['a', 'b']");
  CHECK(python_list_repr({""}) == "['']");
  // repr("it's") is "it's" in double quotes; repr('say "hi"') keeps single quotes.
  CHECK(python_list_repr({"it's"}) == "[\"it's\"]");
  CHECK(python_list_repr({"say \"hi\""}) == "['say \"hi\"']");
  // Both quotes: single quotes, the inner single quote escaped.
  CHECK(python_list_repr({"it's \"x\""}) == "['it\\'s \"x\"']");
  CHECK(python_list_repr({"a\\b"}) == "['a\\\\b']");
  // Control characters are escaped: repr(['a\nb\tc\x01']) is ['a\\nb\\tc\\x01'].
  CHECK(python_list_repr({"a\nb\tc\x01\r"}) == "['a\\nb\\tc\\x01\\r']");
  CHECK(python_list_repr({"caf\xc3\xa9"}) == "['caf\xc3\xa9']");  // UTF-8 text as it is
}

}  // namespace ssf
