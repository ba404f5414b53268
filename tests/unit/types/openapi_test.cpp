// The OpenAPI document: upstream's title rule, every endpoint's inputs and outputs with types,
// examples, and security requirements that need key and session together.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "endpoints.h"

namespace ssf::types {
namespace {

using namespace test;
using Json = nlohmann::json;

config::Config config_with(std::vector<config::Endpoint> endpoints) {
  config::Config c;
  c.application.name = "My API";
  c.application.desc = "Does things";
  c.application.version = "2.1";
  c.application.license_name = "MIT";
  c.endpoints = std::move(endpoints);
  return c;
}

TEST_CASE("title, info and security follow the options", "[types][openapi]") {
  auto config = config_with({endpoint({param("x", DataType::Integer)})});
  Json open = Json::parse(openapi_document(config, {}));
  CHECK(open["info"]["title"] == "My API (unsecure)");
  CHECK(open["info"]["version"] == "2.1");
  CHECK(open["info"]["license"]["name"] == "MIT");
  CHECK_FALSE(open["paths"]["/v1/test"]["post"].contains("security"));
  CHECK_FALSE(open["components"].contains("securitySchemes"));

  Json keyed = Json::parse(openapi_document(config, {true, false}));
  CHECK(keyed["info"]["title"] == "My API");
  CHECK(keyed["paths"]["/v1/test"]["post"]["security"] ==
        Json::parse(R"([{"APIKeyQuery":[]},{"APIKeyHeader":[]},{"APIKeyCookie":[]}])"));
  CHECK(keyed["paths"].contains("/login"));
  CHECK_FALSE(keyed["paths"].contains("/session_login"));

  Json both = Json::parse(openapi_document(config, {true, true}));
  for (const auto& requirement : both["paths"]["/v1/test"]["post"]["security"]) {
    CHECK(requirement.contains("SessionKeyCookie"));
    CHECK(requirement.size() == 2);
  }
  Json sessions = Json::parse(openapi_document(config, {false, true}));
  CHECK(sessions["info"]["title"] == "My API");
  CHECK(sessions["paths"]["/v1/test"]["post"]["security"] ==
        Json::parse(R"([{"SessionKeyCookie":[]}])"));
}

TEST_CASE("JSON inputs: a schema per endpoint, typed, with the config's examples",
          "[types][openapi]") {
  auto e = all_types();
  e.inputs[1].example = config::Value::integer(101);
  e.outputs = {param("out_list", DataType::ListFloat)};
  Json doc = Json::parse(openapi_document(config_with({e}), {}));
  const Json& op = doc["paths"]["/v1/test"]["post"];
  CHECK(op["summary"] == "Run test V1");
  std::string ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
  const Json& inputs = doc["components"]["schemas"][ref.substr(ref.rfind('/') + 1)];
  CHECK(inputs["properties"]["s"]["type"] == "string");
  CHECK(inputs["properties"]["i"]["type"] == "integer");
  CHECK(inputs["properties"]["f"]["type"] == "number");
  CHECK(inputs["properties"]["b"]["type"] == "boolean");
  CHECK(inputs["properties"]["li"]["items"]["type"] == "integer");
  CHECK(inputs["properties"]["la"]["items"] == Json::object());
  CHECK(inputs["properties"]["li"]["x-ssf-type"] == "ListInteger");
  CHECK(inputs["required"].size() == 9);
  CHECK(inputs["examples"] == Json::parse(R"([{"i":101}])"));
  std::string out = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
  const Json& outputs = doc["components"]["schemas"][out.substr(out.rfind('/') + 1)];
  CHECK(outputs["properties"]["out_list"]["title"] == "Out List");
  CHECK(outputs["properties"]["out_list"]["items"]["type"] == "number");
}

TEST_CASE("query inputs, file uploads and a PNG output", "[types][openapi]") {
  auto e = endpoint({param("n", DataType::Integer), param("upload", DataType::TempFile)},
                    config::ParamFormat::Query,
                    {param("image", DataType::PngImageBytes), param("tags", DataType::ListString)});
  e.inputs[0].example = config::Value::integer(3);
  Json doc = Json::parse(openapi_document(config_with({e}), {}));
  const Json& op = doc["paths"]["/v1/test"]["post"];
  REQUIRE(op["parameters"].size() == 1);
  CHECK(op["parameters"][0]["name"] == "n");
  CHECK(op["parameters"][0]["in"] == "query");
  CHECK(op["parameters"][0]["example"] == 3);
  std::string ref = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"];
  const Json& body = doc["components"]["schemas"][ref.substr(ref.rfind('/') + 1)];
  CHECK(body["properties"]["upload"]["format"] == "binary");
  const Json& ok = op["responses"]["200"];
  CHECK(ok["content"]["image/png"]["schema"]["format"] == "binary");
  CHECK(ok["headers"]["tags"]["x-ssf-type"] == "ListString");
  CHECK(ok["headers"].contains("metrics-dispatch-latency"));
}

}  // namespace
}  // namespace ssf::types
