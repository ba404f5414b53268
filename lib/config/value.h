#pragma once
// Value: the config file as data, before it is typed. A tree of null, bool, int, float, string,
// list and map (keys in file order), each node remembering where it stood in the file.
//
// Scalars are resolved as upstream's PyYAML resolves them (YAML 1.1): `version: 1.0` is a float,
// `ssf_version: 1.0.0` a string, `trace: True`/`yes`/`on` a bool, `~`/`null`/empty a null, and a
// quoted scalar is always a string. python_str() then prints a value as Python's str() would,
// which is what upstream substitutes into `{{...}}` and tags (`whisper_api:1.0`).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace ssf::config {

// 1-based line and column of a node in its file; 0 when it was not read from a file (a default,
// or set by --modify-config).
struct Mark {
  int line = 0;
  int column = 0;
};

class Value {
 public:
  enum class Kind { Null, Bool, Int, Float, String, List, Map };
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;

  Value() = default;  // null
  static Value boolean(bool b, Mark m = {});
  static Value integer(int64_t i, Mark m = {});
  static Value floating(double d, Mark m = {});
  static Value string(std::string s, Mark m = {});
  static Value list(List items = {}, Mark m = {});
  static Value map(Map entries = {}, Mark m = {});

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_null() const { return kind() == Kind::Null; }
  bool is_scalar() const { return kind() != Kind::List && kind() != Kind::Map; }
  Mark mark() const { return mark_; }
  void set_mark(Mark m) { mark_ = m; }

  // Preconditions: the kind matches (a bug otherwise: aborts).
  bool as_bool() const;
  int64_t as_int() const;
  double as_float() const;
  const std::string& as_string() const;
  const List& as_list() const;
  List& as_list();
  const Map& as_map() const;
  Map& as_map();

  // Map lookup; nullptr when absent or when this is not a map.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Replaces the entry for `key` or appends one; precondition: this is a map.
  Value& set(std::string_view key, Value value);

  // Python's str(): "1.0", "True", "None", "['a', 1]", "{'k': 'v'}".
  std::string python_str() const;
  // Compact JSON (floats keep a '.0' so that Python reads them back as float).
  std::string to_json() const;

  bool operator==(const Value& other) const;

 private:
  using Data = std::variant<std::monostate, bool, int64_t, double, std::string, List, Map>;
  Data data_;
  Mark mark_;
};

std::string_view kind_name(Value::Kind kind);

}  // namespace ssf::config
