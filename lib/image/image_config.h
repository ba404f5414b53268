#pragma once
// The image configuration blob (image-spec: config.md), plus Docker's Healthcheck, which Docker
// reads from the same object. Fields this model does not know are dropped when a base's config
// is read and rewritten (OnBuild, ArgsEscaped, container/container_config of old builders);
// none of them changes how a container runs.
//
// Serialisation is canonical (fixed key order, compact), so that the same model always gives the
// same bytes and hence the same digest.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core.h"
#include "image/digest.h"

namespace ssf::image {

struct Healthcheck {
  std::vector<std::string> test;  // ["CMD", "/opt/ssf/bin/gc-ssf", ...]
  int64_t interval_ns = 0;        // 0: Docker's default
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int retries = 0;
  bool operator==(const Healthcheck&) const = default;
};

struct HistoryEntry {
  std::string created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;
  bool operator==(const HistoryEntry&) const = default;
};

struct ContainerConfig {
  std::string user;
  std::vector<std::string> exposed_ports;  // "8100/tcp"
  std::vector<std::string> env;            // "KEY=value"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::vector<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  std::optional<Healthcheck> healthcheck;
  bool operator==(const ContainerConfig&) const = default;

  // Sets KEY in env, replacing an existing KEY=...
  void set_env(std::string_view key, std::string_view value);
  // The value of KEY, if set.
  std::optional<std::string> get_env(std::string_view key) const;
};

struct ImageConfig {
  std::string architecture = "amd64";
  std::string os = "linux";
  std::string created;  // RFC 3339; empty: left out
  std::string author;
  ContainerConfig config;
  std::vector<Digest> diff_ids;  // rootfs.diff_ids, in layer order
  std::vector<HistoryEntry> history;

  std::string to_json() const;
  // Errors: PackagingError naming the malformed field.
  static Result<ImageConfig> parse(std::string_view json);
};

// "1970-01-01T00:00:00Z" for a time in seconds since the epoch (SOURCE_DATE_EPOCH).
std::string rfc3339(int64_t seconds);

}  // namespace ssf::image
