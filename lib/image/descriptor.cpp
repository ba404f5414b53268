#include "image/descriptor.h"

#include <nlohmann/json.hpp>

#include "image/media_types.h"

namespace ssf::image {
namespace {

using Json = nlohmann::ordered_json;

Error malformed(std::string_view what, std::string_view field) {
  return Error(ResultCode::PackagingError, fmt::format("malformed {}: field '{}'", what, field));
}

Json descriptor_json(const Descriptor& d) {
  Json j;
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (d.platform) {
    Json p;
    p["architecture"] = d.platform->architecture;
    p["os"] = d.platform->os;
    if (!d.platform->variant.empty()) p["variant"] = d.platform->variant;
    j["platform"] = p;
  }
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

Result<std::map<std::string, std::string>> annotations_of(const Json& j, std::string_view what) {
  std::map<std::string, std::string> out;
  auto it = j.find("annotations");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return malformed(what, "annotations");
  for (auto& [key, value] : it->items()) {
    if (!value.is_string()) return malformed(what, "annotations." + key);
    out[key] = value.get<std::string>();
  }
  return out;
}

Result<Descriptor> parse_descriptor(const Json& j, std::string_view what, std::string field) {
  if (!j.is_object()) return malformed(what, field);
  auto media = j.find("mediaType");
  auto digest = j.find("digest");
  auto size = j.find("size");
  if (media == j.end() || !media->is_string()) return malformed(what, field + ".mediaType");
  if (digest == j.end() || !digest->is_string()) return malformed(what, field + ".digest");
  if (size == j.end() || !size->is_number_integer() || size->get<int64_t>() < 0)
    return malformed(what, field + ".size");
  auto parsed = Digest::parse(digest->get<std::string>());
  if (!parsed) return malformed(what, field + ".digest");
  auto annotations = annotations_of(j, what);
  if (!annotations) return std::move(annotations).error();
  Descriptor d{media->get<std::string>(), *parsed, size->get<int64_t>(), std::move(*annotations),
               std::nullopt};
  if (auto p = j.find("platform"); p != j.end() && p->is_object()) {
    Platform platform;
    platform.os = p->value("os", "");
    platform.architecture = p->value("architecture", "");
    platform.variant = p->value("variant", "");
    d.platform = platform;
  }
  return d;
}

// Runs a parse that may meet a field of the wrong type (nlohmann's value() throws then): such a
// document is malformed, not a crash.
template <typename F>
auto guarded(std::string_view what, F&& parse) -> decltype(parse()) {
  try {
    return parse();
  } catch (const nlohmann::json::exception&) {
    return Error(ResultCode::PackagingError, fmt::format("malformed {}: a field has the wrong type", what));
  }
}

Result<Json> parse_object(std::string_view text, std::string_view what) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error(ResultCode::PackagingError, fmt::format("malformed {}: not a JSON object", what));
  return j;
}

}  // namespace

bool is_manifest_type(std::string_view media_type) {
  return media_type == kOciManifest || media_type == kDockerManifest;
}

bool is_index_type(std::string_view media_type) {
  return media_type == kOciIndex || media_type == kDockerManifestList;
}

std::string Manifest::to_json() const {
  Json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media_type;
  j["config"] = descriptor_json(config);
  j["layers"] = Json::array();
  for (const auto& layer : layers) j["layers"].push_back(descriptor_json(layer));
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

namespace {
Result<Manifest> parse_manifest(std::string_view json) {
  auto parsed = parse_object(json, "manifest");
  if (!parsed) return std::move(parsed).error();
  const Json& j = *parsed;
  if (j.value("schemaVersion", 0) != 2) return malformed("manifest", "schemaVersion");
  // mediaType is optional in OCI manifests; its absence means OCI.
  std::string media_type = j.value("mediaType", std::string(kOciManifest));
  if (!is_manifest_type(media_type)) return malformed("manifest", "mediaType");
  auto config_it = j.find("config");
  if (config_it == j.end()) return malformed("manifest", "config");
  auto config = parse_descriptor(*config_it, "manifest", "config");
  if (!config) return std::move(config).error();
  auto layers_it = j.find("layers");
  if (layers_it == j.end() || !layers_it->is_array()) return malformed("manifest", "layers");
  Manifest m{media_type, std::move(*config), {}, {}};
  for (size_t i = 0; i < layers_it->size(); ++i) {
    auto layer = parse_descriptor((*layers_it)[i], "manifest", fmt::format("layers[{}]", i));
    if (!layer) return std::move(layer).error();
    m.layers.push_back(std::move(*layer));
  }
  auto annotations = annotations_of(j, "manifest");
  if (!annotations) return std::move(annotations).error();
  m.annotations = std::move(*annotations);
  return m;
}
}  // namespace

Result<Manifest> Manifest::parse(std::string_view json) {
  return guarded("manifest", [&] { return parse_manifest(json); });
}

std::string Index::to_json() const {
  Json j;
  j["schemaVersion"] = 2;
  j["mediaType"] = media_type;
  j["manifests"] = Json::array();
  for (const auto& m : manifests) j["manifests"].push_back(descriptor_json(m));
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

namespace {
Result<Index> parse_index(std::string_view json) {
  auto parsed = parse_object(json, "index");
  if (!parsed) return std::move(parsed).error();
  const Json& j = *parsed;
  if (j.value("schemaVersion", 0) != 2) return malformed("index", "schemaVersion");
  std::string media_type = j.value("mediaType", std::string(kOciIndex));
  if (!is_index_type(media_type)) return malformed("index", "mediaType");
  auto list = j.find("manifests");
  if (list == j.end() || !list->is_array()) return malformed("index", "manifests");
  Index index{media_type, {}, {}};
  for (size_t i = 0; i < list->size(); ++i) {
    auto d = parse_descriptor((*list)[i], "index", fmt::format("manifests[{}]", i));
    if (!d) return std::move(d).error();
    index.manifests.push_back(std::move(*d));
  }
  auto annotations = annotations_of(j, "index");
  if (!annotations) return std::move(annotations).error();
  index.annotations = std::move(*annotations);
  return index;
}
}  // namespace

Result<Index> Index::parse(std::string_view json) {
  return guarded("index", [&] { return parse_index(json); });
}

}  // namespace ssf::image
