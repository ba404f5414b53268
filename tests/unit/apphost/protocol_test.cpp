#include "apphost/protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "helpers.h"

namespace ssf::apphost::protocol {
namespace {

// One end of a socket pair each, closed on scope exit.
struct SocketPair {
  SocketPair() { REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0); }
  ~SocketPair() {
    close(fds[0]);
    if (fds[1] >= 0) close(fds[1]);
  }
  void close_writer() {
    close(fds[1]);
    fds[1] = -1;
  }
  int fds[2];
};

Frame decode(const std::string& frame) {
  REQUIRE(frame.size() >= 4);
  auto body = decode_body(frame.substr(4));
  REQUIRE(body.has_value());
  return std::move(body).value();
}

std::string python(const std::string& code, std::optional<std::string> input = std::nullopt) {
  ProcessOptions options;
  options.stdin_data = std::move(input);
  options.env = {{"PYTHONPATH", (test::source_dir() / "templates" / "python").string()}};
  auto out = run_process({"/usr/bin/python3", "-c", code}, options);
  REQUIRE(out.has_value());
  INFO(out->out);
  REQUIRE(out->exit_code == 0);
  return out->out;
}

TEST_CASE("a frame is two little-endian lengths, the header and the blobs", "[protocol]") {
  std::string frame = encode_frame(R"({"op":"x"})", "AB");
  std::string expected = std::string("\x10\0\0\0\x0a\0\0\0", 8) + R"({"op":"x"})" + "AB";
  CHECK(frame == expected);
}

TEST_CASE("blobs round-trip through a frame", "[protocol]") {
  BlobArea blobs;
  std::string png("\x89PNG\0\xff", 6);
  Json header = {
      {"op", "result"}, {"a", blobs.add(png)}, {"b", blobs.add("")}, {"c", blobs.add("tail")}};
  Frame frame = decode(encode_message(header, blobs.data()));
  CHECK(frame.op() == "result");
  CHECK(frame.blob(frame.header["a"]) == std::string_view(png));
  CHECK(frame.blob(frame.header["b"]) == std::string_view(""));
  CHECK(frame.blob(frame.header["c"]) == std::string_view("tail"));
  CHECK_FALSE(frame.blob(frame.header["op"]).has_value());
  // A reference beyond the blob area is not one.
  CHECK_FALSE(frame.blob(Json{{"$blob", {4, 100}}}).has_value());
  // Nor is an object with more keys than "$blob".
  CHECK_FALSE(frame.blob(Json{{"$blob", {0, 1}}, {"x", 1}}).has_value());
}

TEST_CASE("malformed bodies are errors, not crashes", "[protocol]") {
  CHECK_FALSE(decode_body("").has_value());
  CHECK_FALSE(decode_body(std::string("\xff\0\0\0{}", 6)).has_value());
  CHECK_FALSE(decode_body(std::string("\x03\0\0\0abc", 7)).has_value());
  CHECK_FALSE(decode_body(std::string("\x02\0\0\0[]", 6)).has_value());  // not an object
}

TEST_CASE("the reader reassembles frames split across reads", "[protocol]") {
  SocketPair pair;
  std::string stream = encode_frame(R"({"op":"a","n":1})") + encode_frame(R"({"op":"b"})", "xyz");
  // Byte by byte: every split point is exercised.
  for (char c : stream) REQUIRE(write_all(pair.fds[1], std::string_view(&c, 1)).ok());
  pair.close_writer();
  FrameBuffer buffer;
  auto a = read_frame(pair.fds[0], buffer);
  REQUIRE(a.has_value());
  REQUIRE(a->has_value());
  CHECK((*a)->op() == "a");
  CHECK((*a)->header["n"] == 1);
  auto b = read_frame(pair.fds[0], buffer);
  REQUIRE(b.has_value());
  REQUIRE(b->has_value());
  CHECK((*b)->op() == "b");
  CHECK((*b)->body.substr((*b)->blob_offset) == "xyz");
  auto end = read_frame(pair.fds[0], buffer);
  REQUIRE(end.has_value());
  CHECK_FALSE(end->has_value());
}

TEST_CASE("a stream that ends inside a frame is an error", "[protocol]") {
  SocketPair pair;
  std::string frame = encode_frame(R"({"op":"a"})");
  REQUIRE(write_all(pair.fds[1], frame.substr(0, frame.size() - 2)).ok());
  pair.close_writer();
  FrameBuffer buffer;
  CHECK_FALSE(read_frame(pair.fds[0], buffer).has_value());
}

TEST_CASE("an oversized length is refused before anything is allocated", "[protocol]") {
  SocketPair pair;
  REQUIRE(write_all(pair.fds[1], std::string("\xff\xff\xff\xff", 4)).ok());
  FrameBuffer buffer;
  auto frame = read_frame(pair.fds[0], buffer);
  REQUIRE_FALSE(frame.has_value());
  CHECK_THAT(frame.error().message(), Catch::Contains("frame length"));
}

TEST_CASE("writing to a closed peer is an error, not SIGPIPE", "[protocol]") {
  int fds[2];
  REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  close(fds[0]);
  auto st = write_all(fds[1], "hello");
  close(fds[1]);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code() == ResultCode::InternalError);
}

TEST_CASE("Python's frames decode here, blobs and non-ASCII text included", "[protocol]") {
  std::string out = python(
      "import sys\n"
      "from ssf._protocol import pack\n"
      "sys.stdout.buffer.write(pack({'op': 'result', 'png': b'\\x89PNG\\x00\\xff',\n"
      "    'nested': [b'ab', {'t': 'caf\\u00e9'}], 'nan': float('nan'), 'big': 2**40,\n"
      "    'f': 1.0, 'lone': '\\udc80'}))\n");
  Frame frame = decode(out);
  CHECK(frame.blob(frame.header["png"]) == std::string_view("\x89PNG\0\xff", 6));
  CHECK(frame.blob(frame.header["nested"][0]) == std::string_view("ab"));
  CHECK(frame.header["nested"][1]["t"] == "caf\xc3\xa9");
  CHECK(frame.header["nan"].is_null());
  CHECK(frame.header["big"] == (int64_t{1} << 40));
  CHECK(frame.header["f"].is_number_float());
  CHECK(frame.header["lone"] == "?");

  config::Value v = to_value(frame.header, &frame);
  CHECK(v.find("png")->as_string() == std::string("\x89PNG\0\xff", 6));
  CHECK(v.find("nested")->as_list()[0].as_string() == "ab");
  CHECK(v.find("f")->kind() == config::Value::Kind::Float);
  CHECK(v.find("big")->kind() == config::Value::Kind::Int);
}

TEST_CASE("our frames decode in Python, blobs included", "[protocol]") {
  BlobArea blobs;
  Json header = {{"op", "request"},
                 {"data", blobs.add(std::string("\0\x01\x02", 3))},
                 {"text", "caf\xc3\xa9"}};
  std::string frame = encode_message(header, blobs.data());
  std::string out = python(
      "import sys\n"
      "from ssf._protocol import unpack\n"
      "data = sys.stdin.buffer.read()\n"
      "print(repr(unpack(data[4:])))\n",
      frame);
  CHECK(trim(out) == R"({'op': 'request', 'data': b'\x00\x01\x02', 'text': 'café'})");
}

TEST_CASE("JSON becomes a Value with kinds and order kept", "[protocol]") {
  Json j = Json::parse(R"({"z":1,"a":[true,null,2.5,"s"],"u":18446744073709551615})");
  config::Value v = to_value(j);
  REQUIRE(v.kind() == config::Value::Kind::Map);
  CHECK(v.as_map()[0].first == "z");
  CHECK(v.as_map()[1].first == "a");
  CHECK(v.to_json() == R"({"z":1,"a":[true,null,2.5,"s"],"u":1.8446744073709552e+19})");
}

}  // namespace
}  // namespace ssf::apphost::protocol
