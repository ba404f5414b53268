#include "image/image_config.h"

#include <ctime>
#include <nlohmann/json.hpp>

namespace ssf::image {
namespace {

using Json = nlohmann::ordered_json;

Error malformed(std::string_view field) {
  return Error(ResultCode::PackagingError, fmt::format("malformed image config: field '{}'", field));
}

// A list of strings, or null. Errors name the field.
Result<std::optional<std::vector<std::string>>> strings(const Json& j, std::string_view field) {
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return std::optional<std::vector<std::string>>{};
  if (!it->is_array()) return malformed(field);
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) return malformed(field);
    out.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

// Docker writes sets as objects whose values are {}: {"8100/tcp": {}}.
std::vector<std::string> set_keys(const Json& j, std::string_view field) {
  std::vector<std::string> out;
  auto it = j.find(field);
  if (it != j.end() && it->is_object()) {
    for (auto& [key, value] : it->items()) out.push_back(key);
  }
  return out;
}

Json set_object(const std::vector<std::string>& keys) {
  Json j = Json::object();
  for (const auto& k : keys) j[k] = Json::object();
  return j;
}

std::string string_of(const Json& j, std::string_view field) {
  auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<ContainerConfig> parse_container(const Json& c) {
  ContainerConfig out;
  out.user = string_of(c, "User");
  out.exposed_ports = set_keys(c, "ExposedPorts");
  out.volumes = set_keys(c, "Volumes");
  auto env = strings(c, "Env");
  if (!env) return std::move(env).error();
  out.env = env->value_or(std::vector<std::string>{});
  auto entrypoint = strings(c, "Entrypoint");
  if (!entrypoint) return std::move(entrypoint).error();
  out.entrypoint = *entrypoint;
  auto cmd = strings(c, "Cmd");
  if (!cmd) return std::move(cmd).error();
  out.cmd = *cmd;
  out.working_dir = string_of(c, "WorkingDir");
  out.stop_signal = string_of(c, "StopSignal");
  if (auto it = c.find("Labels"); it != c.end() && it->is_object()) {
    for (auto& [key, value] : it->items()) {
      if (value.is_string()) out.labels[key] = value.get<std::string>();
    }
  }
  if (auto it = c.find("Healthcheck"); it != c.end() && it->is_object()) {
    Healthcheck h;
    auto test = strings(*it, "Test");
    if (!test) return std::move(test).error();
    h.test = test->value_or(std::vector<std::string>{});
    h.interval_ns = it->value("Interval", int64_t{0});
    h.timeout_ns = it->value("Timeout", int64_t{0});
    h.start_period_ns = it->value("StartPeriod", int64_t{0});
    h.retries = it->value("Retries", 0);
    out.healthcheck = h;
  }
  return out;
}

}  // namespace

void ContainerConfig::set_env(std::string_view key, std::string_view value) {
  std::string entry = fmt::format("{}={}", key, value);
  std::string prefix = std::string(key) + "=";
  for (auto& e : env) {
    if (starts_with(e, prefix)) {
      e = entry;
      return;
    }
  }
  env.push_back(entry);
}

std::optional<std::string> ContainerConfig::get_env(std::string_view key) const {
  std::string prefix = std::string(key) + "=";
  for (const auto& e : env) {
    if (starts_with(e, prefix)) return e.substr(prefix.size());
  }
  return std::nullopt;
}

std::string ImageConfig::to_json() const {
  Json j;
  if (!created.empty()) j["created"] = created;
  if (!author.empty()) j["author"] = author;
  j["architecture"] = architecture;
  j["os"] = os;
  Json c = Json::object();
  if (!config.user.empty()) c["User"] = config.user;
  if (!config.exposed_ports.empty()) c["ExposedPorts"] = set_object(config.exposed_ports);
  if (!config.env.empty()) c["Env"] = config.env;
  if (config.entrypoint) c["Entrypoint"] = *config.entrypoint;
  if (config.cmd) c["Cmd"] = *config.cmd;
  if (!config.volumes.empty()) c["Volumes"] = set_object(config.volumes);
  if (!config.working_dir.empty()) c["WorkingDir"] = config.working_dir;
  if (!config.labels.empty()) c["Labels"] = config.labels;
  if (!config.stop_signal.empty()) c["StopSignal"] = config.stop_signal;
  if (const auto& h = config.healthcheck) {
    Json hj;
    hj["Test"] = h->test;
    if (h->interval_ns) hj["Interval"] = h->interval_ns;
    if (h->timeout_ns) hj["Timeout"] = h->timeout_ns;
    if (h->start_period_ns) hj["StartPeriod"] = h->start_period_ns;
    if (h->retries) hj["Retries"] = h->retries;
    c["Healthcheck"] = hj;
  }
  j["config"] = c;
  Json rootfs;
  rootfs["type"] = "layers";
  rootfs["diff_ids"] = Json::array();
  for (const auto& d : diff_ids) rootfs["diff_ids"].push_back(d.str());
  j["rootfs"] = rootfs;
  Json hist = Json::array();
  for (const auto& h : history) {
    Json e;
    if (!h.created.empty()) e["created"] = h.created;
    if (!h.author.empty()) e["author"] = h.author;
    if (!h.created_by.empty()) e["created_by"] = h.created_by;
    if (!h.comment.empty()) e["comment"] = h.comment;
    if (h.empty_layer) e["empty_layer"] = true;
    hist.push_back(e);
  }
  if (!history.empty()) j["history"] = hist;
  return j.dump();
}

namespace {
Result<ImageConfig> parse_config(std::string_view json) {
  Json j = Json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return malformed("(not a JSON object)");
  ImageConfig out;
  out.architecture = string_of(j, "architecture");
  out.os = string_of(j, "os");
  out.created = string_of(j, "created");
  out.author = string_of(j, "author");
  if (auto c = j.find("config"); c != j.end() && c->is_object()) {
    auto parsed = parse_container(*c);
    if (!parsed) return std::move(parsed).error();
    out.config = std::move(*parsed);
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) return malformed("rootfs");
  auto ids = strings(*rootfs, "diff_ids");
  if (!ids) return std::move(ids).error();
  for (const auto& id : ids->value_or(std::vector<std::string>{})) {
    auto d = Digest::parse(id);
    if (!d) return malformed("rootfs.diff_ids");
    out.diff_ids.push_back(*d);
  }
  if (auto h = j.find("history"); h != j.end() && h->is_array()) {
    for (const auto& e : *h) {
      if (!e.is_object()) return malformed("history");
      out.history.push_back(HistoryEntry{string_of(e, "created"), string_of(e, "created_by"),
                                         string_of(e, "author"), string_of(e, "comment"),
                                         e.value("empty_layer", false)});
    }
  }
  return out;
}
}  // namespace

Result<ImageConfig> ImageConfig::parse(std::string_view json) {
  // value() throws on a field of the wrong type: such a config is malformed, not a crash.
  try {
    return parse_config(json);
  } catch (const nlohmann::json::exception& e) {
    return Error(ResultCode::PackagingError, fmt::format("malformed image config: {}", e.what()));
  }
}

std::string rfc3339(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace ssf::image
