#pragma once
// The typed config: what the rest of gc-ssf reads once load_config() has validated the file.
// Field defaults are upstream's (ssf-behaviour.md §2.1); each says where it comes from.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/value.h"

namespace ssf::config {

// upstream's constants (ssf/version.py)
inline constexpr std::string_view kSsfVersion = "1.2.0";
inline constexpr std::string_view kMinimumSupportedVersion = "0.0.1";
inline constexpr std::string_view kMaximumSupportedVersion = "1.2.0";
inline constexpr std::string_view kPackageDefaultBaseImage =
    "graphcore/pytorch:3.3.0-ubuntu-20.04-20230703";
inline constexpr std::string_view kSsfDeployImage = "graphcore/simple-server-framework:1.2.0";

// SSF data types (ssf-behaviour.md §3).
enum class DataType {
  String,
  Integer,
  Float,
  Boolean,
  ListString,
  ListInteger,
  ListFloat,
  ListBoolean,
  ListAny,
  TempFile,       // input only
  PngImageBytes,  // output only
};
std::optional<DataType> parse_data_type(std::string_view name);
std::string_view data_type_name(DataType type);
// "String, Integer, Float, ..." for error messages.
std::string data_type_names();
bool is_list(DataType type);

enum class ParamFormat { Json, Query };

struct Param {
  std::string id;           // default input_<j> (also for outputs, as upstream)
  DataType type = DataType::String;
  std::string desc;         // default "Endpoint inputs <j>" / "Endpoint outputs <j>"
  std::optional<Value> example;
  Mark mark;
};

struct Endpoint {
  size_t index = 0;
  std::string id;              // default endpoint_<i>
  std::string version = "1";   // python str() of the YAML value
  std::string desc = " ";
  std::optional<std::filesystem::path> custom;  // absolute; a FastAPI router file
  // Query when the config says so or when any input is a TempFile; Json otherwise.
  ParamFormat param_format = ParamFormat::Json;
  std::vector<Param> inputs;
  std::vector<Param> outputs;
  Mark mark;

  // "/v<version>/<id>"
  std::string route() const { return "/v" + version + "/" + id; }
};

struct Dependencies {
  std::optional<std::string> python;                  // raw comma-separated value
  std::vector<std::filesystem::path> requirements;    // items containing ".txt", absolute
  std::vector<std::string> pip_specs;                 // other items, space-split into arguments
  std::optional<std::vector<std::string>> poplar;     // accepted Poplar SDK versions
  std::optional<std::string> poplar_location;
  std::vector<std::string> poplar_wheels;
};

struct PackageSpec {
  std::string name;        // default <id>.<version>.tar.gz
  std::string tag;         // default <id>:<version>
  std::vector<std::string> inclusions;
  std::vector<std::string> exclusions;
  // --package-baseimage, else package.docker.baseimage, else kPackageDefaultBaseImage. (Upstream
  // lets the config win over the option, against its own help text; gc-ssf does what the help says.)
  std::string baseimage;
  std::string docker_run;  // raw Dockerfile lines
};

struct Application {
  std::string id = "untitled";
  std::string name = "untitled API";
  std::string desc = " ";
  std::string version = "1.0";  // python str() of the YAML value
  std::filesystem::path module;  // absolute when found relative to the config, else as given
  std::optional<std::string> license_name;
  std::optional<std::string> license_url;
  std::optional<std::string> terms_of_service;
  int ipus = 1;
  int max_batch_size = 1;
  int startup_timeout = 600;  // seconds
  std::vector<std::string> artifacts;
  bool trace = true;
  std::vector<std::filesystem::path> syspaths;  // absolute
  Dependencies dependencies;
  PackageSpec package;

  // Derived (§2.2).
  std::filesystem::path dir;       // the config file's directory
  std::filesystem::path file_dir;  // the module's directory: the app's working directory
  std::filesystem::path venv_dir;  // <cwd>/ssf-<id>-venv
};

struct Config {
  std::string ssf_version = "0.0.1";
  Application application;
  std::vector<Endpoint> endpoints;
  std::filesystem::path file;  // absolute path of the config file; empty in self-package mode
  Value dict;                  // the expanded YAML, as handed to applications (config_dict)
  bool self_package = false;
};

}  // namespace ssf::config
