#pragma once
// Helpers shared by the files of the types module; not part of its interface.
//
// Much of this module re-creates what Python did for upstream: the json module's decoder and its
// error messages, int()/float()/str()/bool(), pydantic v1's validators, urllib's query parsing and
// FastAPI's error bodies. Python strings are held as UTF-8 here; positions that Python reports
// (a JSON error's "pos") are counted in code points, as Python counts them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "config/config.h"
#include "types/types.h"

namespace ssf::types::internal {

// ---- Python text (py_text.cpp) ----

// Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF.
bool is_utf8(std::string_view bytes);
// bytes.decode("utf-8", "replace"): each maximal invalid subpart becomes one U+FFFD.
std::string utf8_replace(std::string_view bytes);
// bytes.decode("latin-1"), as UTF-8.
std::string latin1_to_utf8(std::string_view bytes);
// Starlette's _user_safe_decode for UTF-8: the text when it is UTF-8, else latin-1.
std::string utf8_or_latin1(std::string_view bytes);
size_t code_point_count(std::string_view utf8);
// Python's str.strip(): Unicode whitespace at both ends.
std::string_view python_strip(std::string_view utf8);
// The code points of a (valid) UTF-8 text, each as its own string: what iterating a str yields.
std::vector<std::string> code_points(std::string_view utf8);
void append_utf8(char32_t code_point, std::string& out);
// str.encode("latin-1") of a UTF-8 text; nullopt when a code point is above U+00FF.
std::optional<std::string> utf8_to_latin1(std::string_view utf8);
// repr(bytes): b'...'.
std::string python_bytes_repr(std::string_view bytes);

// ---- Python numbers (py_number.cpp) ----

// int(text) in base 10: whitespace around, a sign, single underscores between digits. nullopt
// when Python raises, and when the value does not fit in int64 (where Python would not fail).
std::optional<int64_t> python_int(std::string_view text);
// float(text): decimal and exponent forms with underscores between digits, "inf", "infinity" and
// "nan" in any case with a sign, whitespace around. Out of range gives ±inf or ±0, as in Python.
std::optional<double> python_float(std::string_view text);
// int(d): truncation; nullopt for nan and inf (Python raises) and outside int64 (Python would not).
std::optional<int64_t> python_int_of_float(double d);

// ---- the JSON decoder (json.cpp) ----

// json.JSONDecodeError's fields: `pos` counts code points, `colno` and `lineno` from 1.
struct JsonDecodeError {
  std::string msg;  // "Expecting value"
  size_t pos = 0;
  size_t lineno = 1;
  size_t colno = 1;
  std::string message() const;  // "Expecting value: line 1 column 1 (char 0)"
};
// Nesting deeper than Python's recursion limit allows: a RecursionError, not a JSONDecodeError.
struct JsonTooDeep {};
using JsonDecoded = std::variant<config::Value, JsonDecodeError, JsonTooDeep>;
// json.loads(text) for a text that is valid UTF-8: the same grammar (NaN, Infinity, -Infinity
// included), the same first error at the same position. Integers outside int64 become floats;
// lone surrogates from \u escapes become U+FFFD (UTF-8 cannot hold them); duplicate keys keep the
// first position and the last value, as a dict does.
JsonDecoded decode_json(std::string_view text);

// ---- FastAPI's error bodies (validation_error.cpp) ----

// One item of a RequestValidationError, as pydantic's error_dict() makes it.
struct Issue {
  config::Value loc;  // a list: "body"/"query", then a field name, then list indexes
  std::string msg;
  std::string type;
  std::optional<config::Value> ctx;
};
using Issues = std::vector<Issue>;

config::Value loc(std::string_view where);
config::Value loc(std::string_view where, std::string_view field);
config::Value loc_index(const config::Value& parent, size_t index);

Issue missing(config::Value at);  // "field required"
// 422 {"detail":[...]}.
InvalidInput unprocessable(const Issues& issues);
// The status with FastAPI's HTTPException body {"detail":"<detail>"}.
InvalidInput http_error(int status, std::string_view detail);
// A DecodeResult that refuses the request.
DecodeResult invalid(InvalidInput input);

inline constexpr std::string_view kBodyParseError = "There was an error parsing the body";
inline constexpr std::string_view kProcessingError = "There was an error processing inputs";

// ---- pydantic v1 (coerce.cpp) ----

// Validates `value` as a field of `type` (a basic or list SSF type) the way pydantic v1 does,
// appending the errors at `at`. Returns the coerced value, or nullopt after appending errors.
std::optional<config::Value> coerce(config::DataType type, const config::Value& value,
                                    const config::Value& at, Issues& issues);

// ---- the request formats ----

Result<DecodeResult> decode_json_inputs(const config::Endpoint& endpoint, const HttpInput& request);
Result<DecodeResult> decode_query_inputs(const config::Endpoint& endpoint, const HttpInput& request,
                                         const DecodeOptions& options);

// urllib.parse.parse_qsl(query.decode("latin-1"), keep_blank_values=True), as Starlette's
// QueryParams reads a query string: '&'-separated, '+' as space, %XX decoded as UTF-8 with
// replacement. Raw bytes above 0x7f stay latin-1 characters (Starlette's decoding).
std::vector<std::pair<std::string, std::string>> parse_query(std::string_view query);

// os.path.splitext(name)[1]: ".wav" for "dir/a.b.wav", "" for ".bashrc" and "a".
std::string_view file_extension(std::string_view name);

// Writes an upload to a new file `<dir>/<prefix>XXXXXX<extension>` (mode 0600). Returns nullopt
// when the name cannot be made (a NUL in the extension, a name too long: Python raises there and
// upstream answers 400); an Error for any other failure.
Result<std::optional<std::filesystem::path>> write_upload(const std::filesystem::path& dir,
                                                          std::string_view prefix,
                                                          std::string_view extension,
                                                          std::string_view data);

// ---- casts of outputs (casts.cpp) ----

// What the generated endpoint did to an output: str(), int(), float(), bool(), list() or
// list(map(<element cast>, value)). An Error (ApplicationError) where Python raised; the message
// shows the value.
Result<config::Value> cast_output(config::DataType type, const config::Value& value);
// An output the application returned as bytes, as the Python value it was: repr() for String,
// its byte values for lists, the text for Integer and Float, its truth for Boolean.
config::Value bytes_output(config::DataType type, std::string_view bytes);
// repr(value), shortened for messages.
std::string python_repr(const config::Value& value);

}  // namespace ssf::types::internal
