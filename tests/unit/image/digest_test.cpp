#include <catch2/catch.hpp>

#include "image/image.h"

using ssf::image::Digest;
using ssf::image::Sha256;

TEST_CASE("digest: known SHA-256 vectors (FIPS 180-2)") {
  CHECK(Digest::of("").str() ==
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(Digest::of("abc").str() ==
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("digest: streaming in pieces equals hashing at once, and the hasher resets") {
  Sha256 hasher;
  hasher.update("a");
  hasher.update("bc");
  CHECK(hasher.finish() == Digest::of("abc"));
  hasher.update("abc");
  CHECK(hasher.finish() == Digest::of("abc"));
}

TEST_CASE("digest: parse accepts only sha256 with 64 lowercase hex digits") {
  auto good = Digest::parse("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(good);
  CHECK(good->hex().size() == 64);
  for (const char* bad :
       {"", "sha256:", "sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "sha256:../../../etc/passwd0000000000000000000000000000000000000000000000"}) {
    INFO(bad);
    auto parsed = Digest::parse(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code() == ssf::ResultCode::PackagingError);
  }
}
