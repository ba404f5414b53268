#pragma once
// Small string helpers shared by every module.

#include <string>
#include <string_view>
#include <vector>

namespace ssf {

// Splits on every `sep`; "a,,b" gives {"a", "", "b"}; "" gives {""} (as Python's str.split(sep)).
std::vector<std::string> split(std::string_view text, char sep);
// Splits on runs of whitespace, dropping empty pieces (Python's str.split()).
std::vector<std::string> split_whitespace(std::string_view text);
std::string_view trim(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
bool starts_with(std::string_view text, std::string_view prefix);
bool ends_with(std::string_view text, std::string_view suffix);
// Python's repr() of a list of strings: ['a', 'b'] (used in upstream's log lines).
std::string python_list_repr(const std::vector<std::string>& items);

}  // namespace ssf
