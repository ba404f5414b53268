#pragma once
// Helpers shared by the files of the config module; not part of its interface.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/load.h"
#include "config/model.h"
#include "config/value.h"
#include "core/core.h"

namespace ssf::config::internal {

// Python's int(text) for base 10: surrounding whitespace, a sign, and single underscores between
// digits are accepted; "2.0" is not. nullopt also when the value does not fit in int64.
std::optional<int64_t> python_int(std::string_view text);
// Python's float(text): decimal and exponent forms (with underscores between digits),
// "inf"/"infinity"/"nan" in any case, with an optional sign, surrounding whitespace ignored.
std::optional<double> python_float(std::string_view text);

// "<display>:<line>:<col>: <path>: <message>"; the position is left out when `mark` is unknown and
// the path when empty. Code 34.
Error config_error(std::string_view display, Mark mark, std::string_view path,
                   std::string_view message);

// Reads typed fields out of the Value tree of one file, with upstream's leniency: a missing or
// null field takes its default, a scalar where a string is expected is printed as Python would.
class Fields {
 public:
  explicit Fields(std::string display) : display_(std::move(display)) {}
  const std::string& display() const { return display_; }

  Error error(Mark mark, std::string_view path, std::string_view message) const {
    return config_error(display_, mark, path, message);
  }
  // "expected <kind>, found <kind>".
  Error wrong_kind(const Value& node, std::string_view path, std::string_view expected) const;
  // Where a missing `key` of `parent` is reported: the parent's position.
  Error missing(const Value& parent, std::string_view key, std::string_view path) const;

  // The field, or nullptr when it is absent or null.
  static const Value* find(const Value& parent, std::string_view key);

  Result<std::optional<std::string>> string(const Value& parent, std::string_view key,
                                            std::string_view path) const;
  // An int, or a string that Python's int() reads (what --modify-config stores for a new field).
  Result<std::optional<int64_t>> integer(const Value& parent, std::string_view key,
                                         std::string_view path) const;
  // A bool, or the string "True"/"False".
  Result<std::optional<bool>> boolean(const Value& parent, std::string_view key,
                                      std::string_view path) const;
  // A list of scalars, each printed as Python would; empty when the field is missing.
  Result<std::vector<std::string>> string_list(const Value& parent, std::string_view key,
                                               std::string_view path) const;
  // A map, or nullptr when the field is missing or null.
  Result<const Value*> map(const Value& parent, std::string_view key, std::string_view path) const;
  // Ids name images, venvs, files and routes, so whitespace in them is an error (34).
  Status check_id(const std::string& id, const Value& parent, std::string_view key,
                  std::string_view path) const;

 private:
  std::string display_;
};

// The sections of build_config, in the order upstream reads them.
Result<Application> build_application(const Value& root, const Fields& fields,
                                      const std::filesystem::path& config_file,
                                      const LoadOptions& options, bool self_package);
Result<std::vector<Endpoint>> build_endpoints(const Value& root, const Fields& fields,
                                              const Application& application);

}  // namespace ssf::config::internal
