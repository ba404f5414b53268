// The query format's parameters, against answers recorded from FastAPI (the params the app got,
// as json.dumps prints them, or the error body).

#include <catch2/catch.hpp>

#include "endpoints.h"
#include "types/internal.h"

using namespace ssf::types;
using namespace ssf::types::test;
namespace config = ssf::config;

namespace {

struct Case {
  const char* endpoint;  // "query": all_types(Query); "one": {x: String}
  std::string query;
  const char* content_type;
  const char* body;
  int status;
  const char* expected;
};

// Recorded with FastAPI 0.92 / pydantic 1.10 through a raw ASGI request (the query string's bytes
// exactly as sent).
// clang-format off: recorded data, one request a line
const Case kCases[] = {
    {"query", "s=a+b%20c&i=%201&f=inf&b=T&ls=x&ls=&li=1&li=+2_0&lf=1&lf=.5&lb=on&lb=NO&la=x&la=y",
     "", "", 200,
     R"~({"s":"a b c","i":1,"f":Infinity,"b":true,"ls":["x",""],"li":[1,20],"lf":[1.0,0.5],"lb":[true,false],"la":["x","y"]})~"},
    {"query", "i=1.5&f=x&b=&li=a&li=2&lf=&lb=2&s=", "", "", 422,
     R"~({"detail":[{"loc":["query","i"],"msg":"value is not a valid integer","type":"type_error.integer"},{"loc":["query","f"],"msg":"value is not a valid float","type":"type_error.float"},{"loc":["query","b"],"msg":"value could not be parsed to a boolean","type":"type_error.bool"},{"loc":["query","ls"],"msg":"field required","type":"value_error.missing"},{"loc":["query","li",0],"msg":"value is not a valid integer","type":"type_error.integer"},{"loc":["query","lf",0],"msg":"value is not a valid float","type":"type_error.float"},{"loc":["query","lb",0],"msg":"value could not be parsed to a boolean","type":"type_error.bool"},{"loc":["query","la"],"msg":"field required","type":"value_error.missing"}]})~"},
    {"query", "", "", "", 422,
     R"~({"detail":[{"loc":["query","s"],"msg":"field required","type":"value_error.missing"},{"loc":["query","i"],"msg":"field required","type":"value_error.missing"},{"loc":["query","f"],"msg":"field required","type":"value_error.missing"},{"loc":["query","b"],"msg":"field required","type":"value_error.missing"},{"loc":["query","ls"],"msg":"field required","type":"value_error.missing"},{"loc":["query","li"],"msg":"field required","type":"value_error.missing"},{"loc":["query","lf"],"msg":"field required","type":"value_error.missing"},{"loc":["query","lb"],"msg":"field required","type":"value_error.missing"},{"loc":["query","la"],"msg":"field required","type":"value_error.missing"}]})~"},
    {"query", "s=1&s=2&i=1&i=2&f=1&b=0&ls=1&li=1&lf=1&lb=1&la=1", "", "", 200,
     R"~({"s":"2","i":2,"f":1.0,"b":false,"ls":["1"],"li":[1],"lf":[1.0],"lb":[true],"la":["1"]})~"},
    {"query", "s&i=3&&f=1e3&b=yes&ls&li=-1&lf=1e-5&lb=f&la", "", "", 200,
     R"~({"s":"","i":3,"f":1000.0,"b":true,"ls":[""],"li":[-1],"lf":[1e-05],"lb":[false],"la":[""]})~"},
    {"one", "x=%C3%A9%ZZ%C3", "", "", 200, R"~({"x":"é%ZZ�"})~"},
    {"one", "x=%e2%82%ac%ed%a0%80%f0%9f", "", "", 200, R"~({"x":"€����"})~"},
    {"one",
     "x=\xc3"
     "\xa9"
     "",
     "", "", 200, R"~({"x":"Ã©"})~"},
    {"one",
     "x=%C3\xa9"
     "%A9",
     "", "", 200, R"~({"x":"�©�"})~"},
    {"one", "x=a%2Bb+c%", "", "", 200, R"~({"x":"a+b c%"})~"},
    {"one", "x=a=b;c", "", "", 200, R"~({"x":"a=b;c"})~"},
    {"one", "%78=1&x", "", "", 200, R"~({"x":""})~"},
    {"one", "X=1", "", "", 422,
     R"~({"detail":[{"loc":["query","x"],"msg":"field required","type":"value_error.missing"}]})~"},
};
// clang-format on

}  // namespace

TEST_CASE("query inputs: recorded FastAPI answers", "[query_inputs]") {
  auto query = all_types(config::ParamFormat::Query);
  auto one = endpoint({param("x", DataType::String)}, config::ParamFormat::Query);
  for (const Case& c : kCases) {
    INFO("query: " << c.query);
    auto [status, body] = answer(std::string_view(c.endpoint) == "query" ? query : one,
                                 {c.content_type, c.query, c.body});
    CHECK(status == c.status);
    CHECK(body == c.expected);
  }
}

TEST_CASE("query inputs: the body is not read without TempFile inputs", "[query_inputs]") {
  auto one = endpoint({param("x", DataType::Integer)}, config::ParamFormat::Query);
  CHECK(answer(one, {"multipart/form-data", "x=5", "garbage"}) ==
        std::pair<int, std::string>{200, R"({"x":5})"});
  CHECK(answer(endpoint({}, config::ParamFormat::Query), {"", "x=1", ""}) ==
        std::pair<int, std::string>{200, "{}"});
}

TEST_CASE("parse_query: parse_qsl with blank values", "[query_inputs]") {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(internal::parse_query("") == Pairs{});
  CHECK(internal::parse_query("&&a&b=&=c&d=e=f") ==
        Pairs{{"a", ""}, {"b", ""}, {"", "c"}, {"d", "e=f"}});
  CHECK(internal::parse_query("a+b=%2B%20%zz%4") == Pairs{{"a b", "+ %zz%4"}});
}

TEST_CASE("file_extension: os.path.splitext", "[query_inputs]") {
  using internal::file_extension;
  CHECK(file_extension("a.wav") == ".wav");
  CHECK(file_extension("a.tar.gz") == ".gz");
  CHECK(file_extension("dir.d/a") == "");
  CHECK(file_extension("dir/a.b.") == ".");
  CHECK(file_extension(".bashrc") == "");
  CHECK(file_extension("..x") == "");
  CHECK(file_extension("d/.x.y") == ".y");
  CHECK(file_extension("a") == "");
  CHECK(file_extension("") == "");
}
