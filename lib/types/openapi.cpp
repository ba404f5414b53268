// The OpenAPI document, shaped as the one FastAPI 0.99 generated for upstream's endpoints
// (fastapi.template): the same title rule, tags, summaries, examples and error responses, with
// what FastAPI could not say filled in: the outputs and their types (upstream's endpoints return
// a raw Response, so its document had none), and security requirements that say the key and the
// session are both needed (FastAPI listed them as alternatives).

#include <cctype>
#include <nlohmann/json.hpp>

#include "types/types.h"

namespace ssf::types {

namespace {

using Json = nlohmann::ordered_json;
using config::DataType;

// Component names may hold [A-Za-z0-9._-] only.
std::string component_name(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

// pydantic's title of a field: "my_input" → "My Input".
std::string title_of(std::string_view id) {
  std::string out;
  bool word_start = true;
  for (char c : id) {
    if (c == '_') {
      out += ' ';
      word_start = true;
      continue;
    }
    out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  return out;
}

Json scalar_schema(DataType type) {
  switch (type) {
    case DataType::String: return {{"type", "string"}};
    case DataType::Integer: return {{"type", "integer"}};
    case DataType::Float: return {{"type", "number"}};
    case DataType::Boolean: return {{"type", "boolean"}};
    case DataType::ListString: return {{"type", "array"}, {"items", {{"type", "string"}}}};
    case DataType::ListInteger: return {{"type", "array"}, {"items", {{"type", "integer"}}}};
    case DataType::ListFloat: return {{"type", "array"}, {"items", {{"type", "number"}}}};
    case DataType::ListBoolean: return {{"type", "array"}, {"items", {{"type", "boolean"}}}};
    case DataType::ListAny: return {{"type", "array"}, {"items", Json::object()}};
    case DataType::TempFile:
    case DataType::PngImageBytes: return {{"type", "string"}, {"format", "binary"}};
  }
  return Json::object();
}

Json param_schema(const config::Param& param) {
  Json schema = scalar_schema(param.type);
  schema["title"] = title_of(param.id);
  if (!param.desc.empty()) schema["description"] = param.desc;
  schema["x-ssf-type"] = std::string(config::data_type_name(param.type));
  return schema;
}

Json example_of(const config::Param& param) {
  if (!param.example) return Json();
  Json value = Json::parse(param.example->to_json(), nullptr, false);
  return value.is_discarded() ? Json() : value;
}

Json error_response(std::string_view description) {
  return {{"description", description},
          {"content",
           {{"application/json", {{"schema", {{"$ref", "#/components/schemas/HTTPError"}}}}}}}};
}

Json json_content(Json schema) { return {{"application/json", {{"schema", std::move(schema)}}}}; }

// The outputs: a JSON object, or the PNG as the body with the other outputs as headers.
Json success_response(const config::Endpoint& endpoint, Json& schemas) {
  Json response = {{"description", "Successful request"}};
  const config::Param* png = nullptr;
  for (const auto& out : endpoint.outputs) {
    if (out.type == DataType::PngImageBytes) png = &out;
  }
  Json latency = {{"description", "Seconds the application took for this request"},
                  {"schema", {{"type", "string"}}}};
  if (png) {
    Json headers = Json::object();
    for (const auto& out : endpoint.outputs) {
      if (&out == png) continue;
      // Every other output arrives as a header holding Python's str() of the value.
      Json schema = param_schema(out);
      Json header = {{"description", out.desc}, {"schema", {{"type", "string"}}}};
      header["x-ssf-type"] = schema["x-ssf-type"];
      headers[out.id] = std::move(header);
    }
    headers["metrics-dispatch-latency"] = latency;
    response["headers"] = std::move(headers);
    Json schema = param_schema(*png);
    response["content"] = {{"image/png", {{"schema", std::move(schema)}}}};
    return response;
  }
  std::string name = component_name("Outputs_" + endpoint.id + "_v" + endpoint.version);
  Json properties = Json::object();
  Json required = Json::array();
  for (const auto& out : endpoint.outputs) {
    properties[out.id] = param_schema(out);
    required.push_back(out.id);
  }
  Json schema = {{"title", "Outputs"}, {"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  schemas[name] = std::move(schema);
  response["headers"] = {{"metrics-dispatch-latency", latency}};
  response["content"] = json_content({{"$ref", "#/components/schemas/" + name}});
  return response;
}

Json endpoint_operation(const config::Config& config, const config::Endpoint& endpoint,
                        const Json& security, Json& schemas) {
  std::string function = "run_" + endpoint.id + "_v" + endpoint.version;
  Json op;
  op["tags"] = Json::array({config.application.name});
  op["summary"] = "Run " + endpoint.id + " V" + endpoint.version;
  op["description"] = endpoint.desc;
  op["operationId"] = component_name(function + "_v" + endpoint.version + "_" + endpoint.id + "_post");

  if (endpoint.param_format == config::ParamFormat::Json) {
    std::string name = component_name("Inputs_" + endpoint.id + "_v" + endpoint.version);
    Json properties = Json::object();
    Json required = Json::array();
    Json example = Json::object();
    for (const auto& in : endpoint.inputs) {
      properties[in.id] = param_schema(in);
      required.push_back(in.id);
      if (Json e = example_of(in); !e.is_null()) example[in.id] = std::move(e);
    }
    Json schema = {{"title", "Inputs"}, {"type", "object"}, {"properties", std::move(properties)}};
    if (!required.empty()) schema["required"] = std::move(required);
    if (!example.empty()) schema["examples"] = Json::array({std::move(example)});
    schemas[name] = std::move(schema);
    op["requestBody"] = {{"content", json_content({{"$ref", "#/components/schemas/" + name}})},
                         {"required", true}};
  } else {
    Json parameters = Json::array();
    Json files = Json::object();
    Json file_required = Json::array();
    for (const auto& in : endpoint.inputs) {
      if (in.type == DataType::TempFile) {
        files[in.id] = param_schema(in);
        file_required.push_back(in.id);
        continue;
      }
      Json p = {{"required", true}, {"schema", param_schema(in)}, {"name", in.id}, {"in", "query"}};
      if (!in.desc.empty()) p["description"] = in.desc;
      if (Json e = example_of(in); !e.is_null()) p["example"] = std::move(e);
      parameters.push_back(std::move(p));
    }
    if (!parameters.empty()) op["parameters"] = std::move(parameters);
    if (!files.empty()) {
      std::string name = component_name("Body_" + function + "_v" + endpoint.version + "_" +
                                        endpoint.id + "_post");
      schemas[name] = {{"title", name},
                       {"type", "object"},
                       {"properties", std::move(files)},
                       {"required", std::move(file_required)}};
      op["requestBody"] = {
          {"content",
           {{"multipart/form-data", {{"schema", {{"$ref", "#/components/schemas/" + name}}}}}}},
          {"required", true}};
    }
  }

  Json responses;
  responses["200"] = success_response(endpoint, schemas);
  responses["400"] = error_response("HTTPException thrown due to a bad request inputs.");
  responses["401"] = error_response("HTTPException thrown due to invalid authentication.");
  responses["403"] = error_response("HTTPException thrown due to invalid credentials.");
  responses["422"] = {
      {"description", "Validation Error"},
      {"content", json_content({{"$ref", "#/components/schemas/HTTPValidationError"}})}};
  responses["500"] =
      error_response("HTTPException thrown due to a failure while processing the request.");
  responses["503"] = error_response("The server is stopping, or its queue is full.");
  responses["504"] = error_response("No replica answered within --request-timeout.");
  op["responses"] = std::move(responses);
  if (!security.empty()) op["security"] = security;
  return op;
}

Json simple_get(std::string summary, std::string operation_id, std::string tag,
                std::string description = {}) {
  Json op;
  if (!tag.empty()) op["tags"] = Json::array({std::move(tag)});
  op["summary"] = std::move(summary);
  if (!description.empty()) op["description"] = std::move(description);
  op["operationId"] = std::move(operation_id);
  op["responses"] = {{"200", {{"description", "Successful Response"},
                              {"content", json_content(Json::object())}}}};
  return Json{{"get", std::move(op)}};
}

Json components_base() {
  Json schemas;
  schemas["HTTPError"] = {{"title", "HTTPError"},
                          {"type", "object"},
                          {"properties", {{"detail", {{"title", "Detail"}, {"type", "string"}}}}},
                          {"required", Json::array({"detail"})},
                          {"example", {{"detail", "HTTPException raised."}}}};
  schemas["ValidationError"] = {
      {"title", "ValidationError"},
      {"type", "object"},
      {"properties",
       {{"loc",
         {{"title", "Location"},
          {"type", "array"},
          {"items", {{"anyOf", Json::array({{{"type", "string"}}, {{"type", "integer"}}})}}}}},
        {"msg", {{"title", "Message"}, {"type", "string"}}},
        {"type", {{"title", "Error Type"}, {"type", "string"}}}}},
      {"required", Json::array({"loc", "msg", "type"})}};
  schemas["HTTPValidationError"] = {
      {"title", "HTTPValidationError"},
      {"type", "object"},
      {"properties",
       {{"detail",
         {{"title", "Detail"},
          {"type", "array"},
          {"items", {{"$ref", "#/components/schemas/ValidationError"}}}}}}}};
  return schemas;
}

}  // namespace

std::string openapi_document(const config::Config& config, const OpenApiOptions& options) {
  const auto& app = config.application;
  Json info;
  info["title"] = app.name;
  if (!options.api_key && !options.session_authentication) info["title"] = app.name + " (unsecure)";
  info["description"] = app.desc;
  if (app.terms_of_service) info["termsOfService"] = *app.terms_of_service;
  if (app.license_name) {
    Json license = {{"name", *app.license_name}};
    if (app.license_url) license["url"] = *app.license_url;
    info["license"] = std::move(license);
  }
  info["version"] = app.version;

  // Every requirement object lists what is needed together; the list holds the alternatives.
  Json security = Json::array();
  if (options.api_key) {
    for (const char* scheme : {"APIKeyQuery", "APIKeyHeader", "APIKeyCookie"}) {
      Json requirement = {{scheme, Json::array()}};
      if (options.session_authentication) requirement["SessionKeyCookie"] = Json::array();
      security.push_back(std::move(requirement));
    }
  } else if (options.session_authentication) {
    security.push_back({{"SessionKeyCookie", Json::array()}});
  }

  Json schemas = components_base();
  Json paths = Json::object();
  for (const auto& endpoint : config.endpoints) {
    paths[endpoint.route()]["post"] = endpoint_operation(config, endpoint, security, schemas);
  }
  if (options.api_key) {
    paths["/login"] = simple_get("Security Login", "security_login_login_get", "Security",
                                 "Sets the api_key cookie from the key given (query, header or "
                                 "cookie) and redirects to /.");
    paths["/login"]["get"]["security"] = Json::array(
        {{{"APIKeyQuery", Json::array()}}, {{"APIKeyHeader", Json::array()}},
         {{"APIKeyCookie", Json::array()}}});
    paths["/logout"] = simple_get("Security Logout", "security_logout_logout_get", "Security",
                                  "Removes the api_key cookie and redirects to /.");
  }
  if (options.session_authentication) {
    paths["/session_login"] =
        simple_get("Session Login", "session_login_session_login_get", "Security",
                   "HTTP Basic login: opens a session (cookie session_key) and redirects to /.");
    paths["/session_login"]["get"]["security"] = Json::array({{{"HTTPBasic", Json::array()}}});
    paths["/session_logout"] = simple_get("Session Logout", "session_logout_session_logout_get",
                                          "Security", "Ends the session and redirects to /.");
    paths["/session_status"] = simple_get("Get Current User", "get_current_user_session_status_get",
                                          "Security", "The user id of the session.");
    for (const char* path : {"/session_logout", "/session_status"}) {
      paths[path]["get"]["security"] = Json::array({{{"SessionKeyCookie", Json::array()}}});
    }
  }
  paths["/health/startup"] = simple_get("Startup Check", "startup_check_health_startup_get", "Health");
  paths["/health/live"] = simple_get("Live Check", "live_check_health_live_get", "Health");
  paths["/health/ready"] = simple_get("Ready Check", "ready_check_health_ready_get", "Health");
  paths["/"] = simple_get("Home", "home__get", "");

  Json components = {{"schemas", std::move(schemas)}};
  if (options.api_key || options.session_authentication) {
    Json schemes;
    if (options.api_key) {
      schemes["APIKeyQuery"] = {{"type", "apiKey"}, {"in", "query"}, {"name", "api_key"}};
      schemes["APIKeyHeader"] = {{"type", "apiKey"}, {"in", "header"}, {"name", "api_key"}};
      schemes["APIKeyCookie"] = {{"type", "apiKey"}, {"in", "cookie"}, {"name", "api_key"}};
    }
    if (options.session_authentication) {
      schemes["SessionKeyCookie"] = {{"type", "apiKey"}, {"in", "cookie"}, {"name", "session_key"}};
      schemes["HTTPBasic"] = {{"type", "http"}, {"scheme", "basic"}};
    }
    components["securitySchemes"] = std::move(schemes);
  }

  Json doc = {{"openapi", "3.1.0"},
              {"info", std::move(info)},
              {"paths", std::move(paths)},
              {"components", std::move(components)}};
  return doc.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ssf::types
