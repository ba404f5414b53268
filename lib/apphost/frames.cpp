#include "apphost/frames.h"

#include <algorithm>
#include <charconv>

namespace ssf::apphost::frames {
namespace {

using protocol::Json;

Json optional_string(const std::optional<std::string>& s) { return s ? Json(*s) : Json(); }

// A Value as nlohmann JSON, through its own JSON text (which is what Python reads). NaN and
// infinities, which Python's json accepts and nlohmann does not, become null here; the config
// and args, spliced as text, keep them.
Json value_json(const config::Value* value) {
  if (!value) return Json::object();
  Json out = Json::parse(value->to_json(), nullptr, false);
  return out.is_discarded() ? Json() : out;
}

// The lowest level either sink shows: the worker need not even format records below it.
int log_level(const config::Options* options) {
  if (!options) return static_cast<int>(log::Level::Debug);
  auto file = log::parse_level(options->file_log_level).value_or(log::Level::Debug);
  auto out = log::parse_level(options->stdout_log_level).value_or(log::Level::Info);
  return std::min(static_cast<int>(file), static_cast<int>(out));
}

Json application_json(const config::Config& config, const config::Options* options) {
  const auto& app = config.application;
  int instances = options ? options->replicate_application * options->fastapi_replicate_server : 1;
  Json syspaths = Json::array();
  for (const auto& p : app.syspaths) syspaths.push_back(p.string());
  const config::Value* deps = nullptr;
  if (const auto* a = config.dict.find("application")) deps = a->find("dependencies");
  // Upstream's ApplicationDescription fields; `desc` too, as the config spells it.
  return Json{{"id", app.id},
              {"name", app.name},
              {"desc", app.desc},
              {"description", app.desc},
              {"version", app.version},
              {"license_name", optional_string(app.license_name)},
              {"license_url", optional_string(app.license_url)},
              {"terms_of_service", optional_string(app.terms_of_service)},
              {"file", app.module.string()},
              {"dir", app.dir.string()},
              {"file_dir", app.file_dir.string()},
              {"venv_dir", app.venv_dir.string()},
              {"ipus", app.ipus},
              {"total_ipus", app.ipus * instances},
              {"max_batch_size", app.max_batch_size},
              {"startup_timeout", app.startup_timeout},
              {"trace", app.trace},
              {"artifacts", app.artifacts},
              {"syspaths", std::move(syspaths)},
              {"dependencies", deps ? value_json(deps) : Json::object()}};
}

}  // namespace

std::string init_header(const WorkerSpec& spec) {
  const config::Config& config = *spec.config;
  const config::Options* options = spec.options;
  const auto& app = config.application;

  // Inserted one by one at the front of sys.path, so the final priority is upstream's (§1.1):
  // syspaths in declared order, then the module's directory, then the config's.
  Json syspaths = Json::array({app.dir.string(), app.file_dir.string()});
  for (auto it = app.syspaths.rbegin(); it != app.syspaths.rend(); ++it) {
    syspaths.push_back(it->string());
  }

  Json unknown = Json::array();
  if (options) unknown = options->unknown_args;

  // The config and args are spliced as Value's own JSON, which Python reads exactly (floats
  // keep their '.0', key order is the file's).
  std::string out = R"({"op":"init","mode":")";
  out += spec.mode == WorkerSpec::Mode::Build ? "build" : "run";
  out += R"(","replica":)" + std::to_string(spec.replica);
  out += R"(,"log_level":)" + std::to_string(log_level(options));
  out += R"(,"config":)" + (config.dict.is_null() ? std::string("{}") : config.dict.to_json());
  out += R"(,"args":)" + (options ? options->to_value().to_json() : std::string("{}"));
  out += R"(,"unknown_args":)" + protocol::dump(unknown);
  out += R"(,"config_file":)" + protocol::dump(Json(config.file.string()));
  out += R"(,"api":)" + protocol::dump(Json(options ? options->api : std::string("fastapi")));
  out += R"(,"application":)" + protocol::dump(application_json(config, options));
  out += R"(,"syspaths":)" + protocol::dump(syspaths);
  out += "}";
  return out;
}

std::string request_frame(uint64_t id, const std::vector<std::string>& params,
                          const std::vector<std::string>& meta) {
  size_t size = 64;
  for (const auto& p : params) size += p.size() + 1;
  for (const auto& m : meta) size += m.size() + 1;
  std::string header;
  header.reserve(size);
  header += R"({"op":"request","id":)" + std::to_string(id) + R"(,"params":[)";
  for (size_t i = 0; i < params.size(); ++i) {
    if (i) header += ',';
    header += params[i];
  }
  header += R"(],"meta":[)";
  for (size_t i = 0; i < meta.size(); ++i) {
    if (i) header += ',';
    header += meta[i];
  }
  header += "]}";
  return protocol::encode_frame(header);
}

std::string watchdog_frame(uint64_t id) {
  return protocol::encode_frame(R"({"op":"watchdog","id":)" + std::to_string(id) + "}");
}

std::string stop_frame() { return protocol::encode_frame(R"({"op":"stop"})"); }

std::vector<types::AppResult> app_results(const protocol::Frame& frame) {
  std::vector<types::AppResult> out;
  auto results = frame.header.find("results");
  if (results == frame.header.end() || !results->is_array()) return out;
  out.reserve(results->size());
  for (const auto& item : *results) {
    types::AppResult r;
    config::Value::Map outputs;
    if (item.is_object()) {
      outputs.reserve(item.size());
      for (const auto& [key, value] : item.items()) {
        if (auto bytes = frame.blob(value)) {
          r.bytes.emplace(key, std::string(*bytes));
        } else {
          outputs.emplace_back(key, protocol::to_value(value, &frame));
        }
      }
    }
    r.outputs = config::Value::map(std::move(outputs));
    out.push_back(std::move(r));
  }
  // {"<index>": "<reason>"} for the requests the application rejected.
  auto rejected = frame.header.find("rejected");
  if (rejected != frame.header.end() && rejected->is_object()) {
    for (const auto& [index, reason] : rejected->items()) {
      size_t i = 0;
      auto [end, ec] = std::from_chars(index.data(), index.data() + index.size(), i);
      bool whole = ec == std::errc() && end == index.data() + index.size();
      if (whole && i < out.size() && reason.is_string()) out[i].rejected = reason.get<std::string>();
    }
  }
  return out;
}

log::Level level_from_python(int64_t levelno) {
  if (levelno >= 50) return log::Level::Critical;
  if (levelno >= 40) return log::Level::Error;
  if (levelno >= 30) return log::Level::Warning;
  if (levelno >= 20) return log::Level::Info;
  return log::Level::Debug;
}

Status deliver(const protocol::Frame& frame, WorkerEvents& events, std::string& reason,
               const std::string& name, int pid) {
  try {
    std::string_view op = frame.op();
    const protocol::Json& h = frame.header;
    if (op == "log") {
      std::string msg = h.value("msg", std::string());
      std::string file = h.value("file", std::string());
      log::write(log::Record{frames::level_from_python(h.value("level", int64_t{20})),
                             std::move(msg), file, static_cast<int>(h.value("line", int64_t{0})),
                             pid});
    } else if (op == "result") {
      if (events.result) {
        events.result(h.at("id").get<uint64_t>(), frames::app_results(frame),
                        h.value("latency", 0.0));
      }
    } else if (op == "error") {
      if (events.request_failed) {
        events.request_failed(h.at("id").get<uint64_t>(), h.value("message", std::string()));
      }
    } else if (op == "watchdog") {
      if (events.watchdog) {
        events.watchdog(h.at("id").get<uint64_t>(), h.value("code", int64_t{32}));
      }
    } else if (op == "started") {
      if (events.started) events.started();
    } else if (op == "failed") {
      reason = h.value("message", std::string());
    } else if (op == "done") {
      log::debug("{} ({}) build returned {}", name, pid, h.value("code", int64_t{0}));
    } else {
      // A newer worker may say more than this server knows; that is not an error.
      log::debug("{} ({}) sent unknown frame '{}'", name, pid, op);
    }
  } catch (const protocol::Json::exception& e) {
    return Error(ResultCode::InternalError,
                 "worker protocol: bad '" + std::string(frame.op()) + "' frame: " + e.what());
  }
  return {};
}

}  // namespace ssf::apphost::frames
