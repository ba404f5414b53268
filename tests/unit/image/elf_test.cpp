#include <catch2/catch.hpp>

#include "image/image.h"

using namespace ssf::image;

TEST_CASE("elf: the interpreter of a host program is read and rewritten in place") {
  auto bytes = ssf::read_file("/bin/ls");
  REQUIRE(bytes);
  auto interp = elf_interpreter(*bytes);
  REQUIRE(interp);
  CHECK(*interp == "/lib64/ld-linux-x86-64.so.2");
  std::string patched = *bytes;
  REQUIRE(set_elf_interpreter(patched, "/opt/ssf/lib/ld.so"));
  CHECK(patched.size() == bytes->size());
  CHECK(elf_interpreter(patched).value() == "/opt/ssf/lib/ld.so");
  // Only the interpreter's bytes changed.
  size_t differing = 0;
  for (size_t i = 0; i < patched.size(); ++i) differing += patched[i] != (*bytes)[i];
  CHECK(differing > 0);
  CHECK(differing <= 27);
  // readelf, an independent reader, agrees.
  auto temp = ssf::TempDir::create();
  REQUIRE(ssf::write_file_atomic(temp->path() / "ls", patched));
  auto out = ssf::run_process({"readelf", "-l", (temp->path() / "ls").string()});
  REQUIRE(out);
  CHECK(out->out.find("[Requesting program interpreter: /opt/ssf/lib/ld.so]") != std::string::npos);
}

TEST_CASE("elf: too long an interpreter, or not an ELF file, is refused") {
  std::string ls = ssf::read_file("/bin/ls").value();
  auto r = set_elf_interpreter(ls, "/a/path/that/is/much/longer/than/the/original/one");
  REQUIRE_FALSE(r);
  CHECK(r.error().message().find("is longer than the original's 27 bytes") != std::string::npos);
  CHECK_FALSE(elf_interpreter("#!/bin/sh\n"));
  std::string script = "#!/bin/sh\n";
  CHECK_FALSE(set_elf_interpreter(script, "/x"));
}

TEST_CASE("elf: the library closure of a host program names each library and the loader") {
  auto closure = shared_library_closure("/bin/ls");
  REQUIRE(closure);
  CHECK(closure->interpreter == "/lib64/ld-linux-x86-64.so.2");
  bool libc = false;
  for (const auto& lib : closure->libraries) {
    CHECK(lib.path.is_absolute());
    CHECK(std::filesystem::is_regular_file(lib.path));
    libc = libc || lib.name == "libc.so.6";
  }
  CHECK(libc);
}
