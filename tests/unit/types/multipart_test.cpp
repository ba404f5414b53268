// The query format's form body: multipart/form-data as Starlette + python-multipart read it,
// against answers recorded from FastAPI (which file content and name each field got, or the
// error body), and the uploads written to temporary files.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "endpoints.h"
#include "types/multipart.h"

namespace fs = std::filesystem;
using namespace ssf::types;
using namespace ssf::types::test;
namespace config = ssf::config;

namespace {

struct Case {
  const char* query;
  const char* content_type;
  std::string body;
  int status;
  const char* expected;  // the error body, when status != 200
  const char* file_extension;
  std::string file_content;
  const char* file2_extension;
  std::string file2_content;
};

// Recorded with FastAPI 0.92 / Starlette 0.26 / python-multipart 0.0.5 for an endpoint
// `x: int = Query(), file: UploadFile = File(...), file2: UploadFile = File(...)`.
// clang-format off: recorded data, one request a line
const Case kCases[] = {
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=\"XyZ\"",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; charset=utf-8; boundary=XyZ; other=\"a;b\"",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "Multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data ; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"Missing boundary in multipart."})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=Other",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "text/plain",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "application/x-www-form-urlencoded", "file=a&file2=", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"Expected UploadFile, received: <class 'str'>","type":"value_error"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"", "multipart/form-data; boundary=XyZ", "", 422,
     R"~({"detail":[{"loc":["query","x"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n",
     422,
     R"~({"detail":[{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ",
     422,
     R"~({"detail":[{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ-",
     422,
     R"~({"detail":[{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ\r\n",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "\r\n\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\nepilogue",
     200, "", ".wav", "AAA", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ \r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a\"\r\n\r\nA\r\n--XyZx\r\n--XyZ-x\r\n--XyZ\r\nContent-Disposition: form-data; "
     "name=\"file2\"; filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", "", "A\r\n--XyZx\r\n--XyZ-x", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=file; "
     "filename=dir/x.tar.gz\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", "", "Z", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\ncontent-disposition:form-data;name=\"file\";filename=\"C:\\\\a\\\\b."
     "png\"\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     200, "", ".png", "Z", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; "
     "filename=\"a.png\"\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"The Content-Disposition header field \"name\" must be provided."})~", "",
     "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nX-Foo: 1\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"The Content-Disposition header field \"name\" must be provided."})~", "",
     "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Type: image/png\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; "
     "name=\"file2\"; filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"The Content-Disposition header field \"name\" must be provided."})~", "",
     "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nX-F1: 1\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\n: 1\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.png\"\r\rZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.png\"\r\n\rZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: text/plain\r\n\r\nBB\r\nB\r\n--XyZ--\r\n",
     400, R"~({"detail":"There was an error parsing the body"})~", "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; "
     "name=\"file\"\r\n\r\ntext\r\n--XyZ\r\nContent-Disposition: form-data; "
     "name=\"file2\"\r\n\r\n\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"Expected UploadFile, received: <class 'str'>","type":"value_error"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: "
     "text/plain\r\n\r\nBB\r\nB\r\n--XyZ\r\nContent-Disposition: form-data; "
     "name=\"file\"\r\n\r\ntext\r\n--XyZ--\r\n",
     422,
     R"~({"detail":[{"loc":["body","file"],"msg":"Expected UploadFile, received: <class 'str'>","type":"value_error"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: "
     "text/plain\r\n\r\nBB\r\nB\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"\"\r\n\r\n\r\n--XyZ--\r\n",
     200, "", "", "", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\"a.wav\"\r\n\r\nAAA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; "
     "filename=\"b.txt\"\r\nContent-Type: "
     "text/plain\r\n\r\nBB\r\nB\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
     "filename=\".bashrc\"\r\n\r\nnew\r\n--XyZ--\r\n",
     200, "", "", "new", ".txt", "BB\r\nB"},
    {"x=1", "multipart/form-data; boundary=XyZ", "--XyZ\r\nContent-Disposition: form-data; n", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\n", 400,
     R"~({"detail":"The Content-Disposition header field \"name\" must be provided."})~", "", "",
     "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ", "--Xy", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ", "--XyZ", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ", "--XyZ\r", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    {"x=1", "multipart/form-data; boundary=XyZ", "--XyZ\r\n", 422,
     R"~({"detail":[{"loc":["body","file"],"msg":"field required","type":"value_error.missing"},{"loc":["body","file2"],"msg":"field required","type":"value_error.missing"}]})~",
     "", "", "", ""},
    // A path in a quoted filename: only the extension of its last component counts.
    {"x=1", "multipart/form-data; boundary=XyZ",
     "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"some/dir.d/f.tar.gz\""
     "\r\n\r\nZ\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file2\"; filename=\"dir.d/f\""
     "\r\n\r\nY\r\n--XyZ--\r\n",
     200, "", ".gz", "Z", "", "Y"},
};
// clang-format on

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

config::Endpoint files_endpoint() {
  return endpoint({param("x", DataType::Integer), param("file", DataType::TempFile),
                   param("file2", DataType::TempFile)},
                  config::ParamFormat::Query);
}

}  // namespace

TEST_CASE("multipart: recorded FastAPI answers", "[multipart]") {
  auto dir = ssf::TempDir::create("types-test-");
  REQUIRE(dir);
  DecodeOptions options{dir->path(), "app_"};
  auto e = files_endpoint();
  for (const Case& c : kCases) {
    INFO("query: " << c.query << "\ncontent-type: " << c.content_type << "\nbody: " << c.body);
    auto result = decode_inputs(e, {c.content_type, c.query, c.body}, options);
    REQUIRE(result);
    if (c.status != 200) {
      REQUIRE(result->invalid);
      CHECK(result->invalid->status == c.status);
      CHECK(result->invalid->body == c.expected);
      continue;
    }
    REQUIRE(result->inputs);
    const auto& files = result->inputs->temp_files;
    REQUIRE(files.size() == 2);
    for (size_t i = 0; i < 2; ++i) {
      const fs::path& path = files[i];
      CHECK(path.parent_path() == dir->path());
      CHECK(path.filename().string().rfind("app_", 0) == 0);
      CHECK(path.extension().string() == (i == 0 ? c.file_extension : c.file2_extension));
      CHECK(read(path) == (i == 0 ? c.file_content : c.file2_content));
      struct stat st;
      REQUIRE(::stat(path.c_str(), &st) == 0);
      CHECK((st.st_mode & 0777) == 0600);
    }
    CHECK(result->inputs->params_json ==
          R"({"x":1,"file":)" + config::Value::string(files[0].string()).to_json() +
              R"(,"file2":)" + config::Value::string(files[1].string()).to_json() + "}");
    for (const auto& path : files) fs::remove(path);
  }
  CHECK(fs::is_empty(dir->path()));
}

TEST_CASE("multipart: nothing is written when any input is invalid", "[multipart]") {
  auto dir = ssf::TempDir::create("types-test-");
  REQUIRE(dir);
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nA\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"file2\"; filename=\"b.wav\"\r\n\r\nB\r\n--b--";
  auto [status, text] = answer(files_endpoint(), {"multipart/form-data; boundary=b", "x=z", body},
                               {dir->path(), "app_"});
  CHECK(status == 422);
  CHECK(
      text ==
      R"({"detail":[{"loc":["query","x"],"msg":"value is not a valid integer","type":"type_error.integer"}]})");
  CHECK(fs::is_empty(dir->path()));
}

TEST_CASE("multipart: a missing temp directory is an InternalError", "[multipart]") {
  auto e = endpoint({param("file", DataType::TempFile)}, config::ParamFormat::Query);
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nA\r\n--b--";
  auto result = decode_inputs(e, {"multipart/form-data; boundary=b", "", body},
                              {"/nonexistent/gc-ssf-types-test", "app_"});
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == ssf::ResultCode::InternalError);
}

TEST_CASE("multipart: an extension Python could not put in a name is a 400", "[multipart]") {
  auto dir = ssf::TempDir::create("types-test-");
  REQUIRE(dir);
  auto e = endpoint({param("file", DataType::TempFile)}, config::ParamFormat::Query);
  std::string body = "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a." +
                     std::string(300, 'x') + "\"\r\n\r\nA\r\n--b--";
  auto [status, text] =
      answer(e, {"multipart/form-data; boundary=b", "", body}, {dir->path(), "app_"});
  CHECK(status == 400);
  CHECK(text == R"({"detail":"There was an error processing inputs"})");
  CHECK(fs::is_empty(dir->path()));
}

TEST_CASE("multipart: limits on the number of parts", "[multipart]") {
  std::string body;
  for (int i = 0; i < 1001; ++i) {
    body += "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nA\r\n";
  }
  body += "--b--";
  auto form = internal::parse_form("multipart/form-data; boundary=b", body);
  REQUIRE(form.error);
  CHECK(form.error->body == R"({"detail":"Too many files. Maximum number of files is 1000."})");
}

TEST_CASE("multipart: fields and charsets", "[multipart]") {
  std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n\xc3\xa9\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"l\"\r\n\r\n\xe9\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n--b--";
  auto form = internal::parse_form("multipart/form-data; boundary=b", body);
  REQUIRE_FALSE(form.error);
  REQUIRE(form.items.size() == 3);
  CHECK(form.find("t")->text == "\xc3\xa9");
  CHECK(form.find("l")->text == "\xc3\xa9");  // not UTF-8: read as latin-1
  CHECK(form.find("f")->is_file);             // an empty filename is still a file
  CHECK(form.find("f")->data.empty());
  auto latin1 = internal::parse_form("multipart/form-data; boundary=b; charset=latin-1", body);
  CHECK(latin1.find("t")->text == "\xc3\x83\xc2\xa9");
}

TEST_CASE("parse_options_header: python-multipart's splitting", "[multipart]") {
  using internal::parse_options_header;
  auto h = parse_options_header(R"(form-data; name="a\"b\\c"; filename=x.wav; NAME=second)");
  CHECK(h.value == "form-data");
  CHECK(*h.find("name") == "second");
  REQUIRE(h.params.size() == 3);
  CHECK(h.params[0].second == "a\"b\\c");
  CHECK(h.params[1].second == "x.wav");
  CHECK(parse_options_header(" Text/Plain ").value == "text/plain");
  CHECK(parse_options_header("Text/Plain ; a=b").value == "Text/Plain ");
  // A token stops at the first special character; the rest up to the next ';' is skipped.
  CHECK(*parse_options_header("x; filename=dir/a.wav").find("filename") == "dir");
  auto q = parse_options_header("x; a = \"q;r\" ;b=c");
  CHECK(*q.find("a") == "q;r");
  CHECK(*q.find("b") == "c");
  // Internet Explorer's full paths.
  CHECK(*parse_options_header(R"(x; filename="C:\\dir\\a.png")").find("filename") == "a.png");
  CHECK(*parse_options_header(R"(x; filename="\\\\host\\a.png")").find("filename") == "a.png");
  // No closing quote: the match ends at the last escaped one.
  CHECK(*parse_options_header(R"(x; a="b\"c)").find("a") == "b\\");
  CHECK(parse_options_header(R"(x; a="bc)").find("a") == nullptr);
  // \n is not special: it can start a value when the spaces before it are given back.
  CHECK(*parse_options_header("x; a=\n;").find("a") == "\n");
}
