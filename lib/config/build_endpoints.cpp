// The `endpoints` section (upstream's init_endpoints_config and init_endpoint_params), plus the
// checks upstream only makes later, when it generates the endpoint code (unknown types, a
// TempFile output, several content outputs), so that a bad config fails at load with its position.

#include <map>

#include "config/internal.h"

namespace fs = std::filesystem;

namespace ssf::config::internal {

namespace {

Result<std::vector<Param>> build_params(const Value& endpoint, const Fields& fields,
                                        std::string_view field, const std::string& endpoint_path,
                                        size_t endpoint_index) {
  std::vector<Param> params;
  std::string list_path = endpoint_path + "." + std::string(field);
  const Value* list = Fields::find(endpoint, field);
  if (!list) {
    // Upstream leaves the list None and then crashes iterating it; an absent list is empty.
    log::warning("No {} specified for endpoint: {}.", field, endpoint_index);
    return params;
  }
  if (list->kind() != Value::Kind::List) return fields.wrong_kind(*list, list_path, "list");

  const auto& items = list->as_list();
  size_t content_outputs = 0;
  for (size_t j = 0; j < items.size(); ++j) {
    const Value& item = items[j];
    std::string path = list_path + "[" + std::to_string(j) + "]";
    if (item.kind() != Value::Kind::Map) return fields.wrong_kind(item, path, "map");
    Param param;
    param.mark = item.mark();
    // "input_<j>" for outputs too, as upstream.
    param.id = "input_" + std::to_string(j);
    auto id = fields.string(item, "id", path + ".id");
    if (!id) return std::move(id).error();
    if (*id) param.id = **id;
    SSF_TRY(fields.check_id(param.id, item, "id", path + ".id"));

    std::string type_path = path + ".type";
    const Value* type = Fields::find(item, "type");
    if (!type) return fields.missing(item, "type", type_path);
    if (type->kind() != Value::Kind::String) return fields.wrong_kind(*type, type_path, "string");
    auto data_type = parse_data_type(type->as_string());
    if (!data_type) {
      return fields.error(
          type->mark(), type_path,
          "unknown type '" + type->as_string() + "' (expected one of " + data_type_names() + ")");
    }
    param.type = *data_type;
    // Direction rules of the types (ssf-behaviour.md §3).
    bool is_input = field == "inputs";
    if (is_input && param.type == DataType::PngImageBytes) {
      return fields.error(type->mark(), type_path, "PngImageBytes can only be used for outputs");
    }
    if (!is_input && param.type == DataType::TempFile) {
      return fields.error(type->mark(), type_path, "TempFile can only be used for inputs");
    }
    if (!is_input && param.type == DataType::PngImageBytes && ++content_outputs > 1) {
      return fields.error(type->mark(), type_path,
                          "only one PngImageBytes output is allowed per endpoint");
    }

    param.desc = "Endpoint " + std::string(field) + " " + std::to_string(j);
    auto desc = fields.string(item, "desc", path + ".desc");
    if (!desc) return std::move(desc).error();
    if (*desc) param.desc = **desc;
    if (const Value* example = Fields::find(item, "example")) param.example = *example;
    params.push_back(std::move(param));
  }
  return params;
}

ParamFormat param_format(const Endpoint& e, const std::optional<std::string>& format) {
  for (const auto& input : e.inputs) {
    // Files travel as multipart form fields, so the other inputs go in the query.
    if (input.type == DataType::TempFile) return ParamFormat::Query;
  }
  if (format == "query") return ParamFormat::Query;
  if (format && format != "json") {
    log::warning(
        "{} not an allowed input format. Must be one of ['json', 'query'], "
        "defaulting to 'json'.",
        *format);
  }
  return ParamFormat::Json;
}

}  // namespace

Result<std::vector<Endpoint>> build_endpoints(const Value& root, const Fields& fields,
                                              const Application& application) {
  const Value* list = root.find("endpoints");
  if (!list) return fields.missing(root, "endpoints", "endpoints");
  if (list->kind() != Value::Kind::List) return fields.wrong_kind(*list, "endpoints", "list");

  std::vector<Endpoint> endpoints;
  std::map<std::string, size_t> routes;
  const auto& items = list->as_list();
  for (size_t i = 0; i < items.size(); ++i) {
    const Value& item = items[i];
    std::string path = "endpoints[" + std::to_string(i) + "]";
    if (item.kind() != Value::Kind::Map) return fields.wrong_kind(item, path, "map");
    Endpoint e;
    e.index = i;
    e.mark = item.mark();
    e.id = "endpoint_" + std::to_string(i);

    auto id = fields.string(item, "id", path + ".id");
    if (!id) return std::move(id).error();
    if (*id) e.id = **id;
    SSF_TRY(fields.check_id(e.id, item, "id", path + ".id"));
    auto version = fields.string(item, "version", path + ".version");
    if (!version) return std::move(version).error();
    if (*version) e.version = **version;
    auto desc = fields.string(item, "desc", path + ".desc");
    if (!desc) return std::move(desc).error();
    if (*desc) e.desc = **desc;
    auto custom = fields.string(item, "custom", path + ".custom");
    if (!custom) return std::move(custom).error();
    if (*custom) {
      // Upstream includes the file's FastAPI APIRouter into its app as is. A C++ server cannot
      // run it, and serving the config without those routes would answer 404 where the author
      // expects an endpoint: refused, not ignored.
      e.custom = (application.dir / **custom).lexically_normal();
      return fields.error(
          Fields::find(item, "custom")->mark(), path + ".custom",
          "'" + **custom + "' names a FastAPI router file (" + e.custom->string() +
              "), which gc-ssf's server cannot include; declare its routes as endpoints with "
              "inputs and outputs instead");
    }
    auto format = fields.string(item, "http_param_format", path + ".http_param_format");
    if (!format) return std::move(format).error();

    auto inputs = build_params(item, fields, "inputs", path, i);
    if (!inputs) return std::move(inputs).error();
    e.inputs = std::move(*inputs);
    auto outputs = build_params(item, fields, "outputs", path, i);
    if (!outputs) return std::move(outputs).error();
    e.outputs = std::move(*outputs);
    e.param_format = param_format(e, *format);

    auto [previous, inserted] = routes.emplace(e.route(), i);
    if (!inserted) {
      return fields.error(e.mark, path,
                          "duplicate endpoint " + e.route() + " (id '" + e.id + "', version '" +
                              e.version + "' already used by endpoints[" +
                              std::to_string(previous->second) + "])");
    }
    endpoints.push_back(std::move(e));
  }
  return endpoints;
}

}  // namespace ssf::config::internal
