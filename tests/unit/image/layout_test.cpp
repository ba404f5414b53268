#include <catch2/catch.hpp>

#include <fstream>

#include "image/image.h"

using namespace ssf::image;
namespace fs = std::filesystem;

TEST_CASE("layout: a new layout has the marker and blobs/sha256") {
  auto temp = ssf::TempDir::create();
  REQUIRE(temp);
  auto layout = OciLayout::open_or_create(temp->path() / "out");
  REQUIRE(layout);
  CHECK(ssf::read_file(temp->path() / "out" / "oci-layout").value() == kLayoutVersion);
  CHECK(fs::is_directory(temp->path() / "out" / "blobs" / "sha256"));
  CHECK(layout->index()->manifests.empty());
}

TEST_CASE("layout: opening a directory that is not a layout fails clearly") {
  auto temp = ssf::TempDir::create();
  auto layout = OciLayout::open(temp->path());
  REQUIRE_FALSE(layout);
  CHECK(layout.error().message().find("is not an OCI image layout") != std::string::npos);
}

TEST_CASE("layout: blobs are stored under their digest and verified on read") {
  auto temp = ssf::TempDir::create();
  auto layout = OciLayout::open_or_create(temp->path());
  auto d = layout->put_blob("hello", kOciConfig);
  REQUIRE(d);
  CHECK(d->digest == Digest::of("hello"));
  CHECK(d->size == 5);
  CHECK(layout->has_blob(d->digest));
  CHECK(layout->read_blob(d->digest).value() == "hello");
  // A corrupted blob is noticed.
  std::ofstream(layout->blob_path(d->digest)) << "jello";
  auto bad = layout->read_blob(d->digest);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("does not match its digest") != std::string::npos);
}

TEST_CASE("layout: adopting a file moves it into place") {
  auto temp = ssf::TempDir::create();
  auto layout = OciLayout::open_or_create(temp->path() / "l");
  fs::path file = temp->path() / "layer.tar";
  std::ofstream(file) << "layer bytes";
  auto d = layout->adopt_blob_file(file, kOciLayerTar);
  REQUIRE(d);
  CHECK_FALSE(fs::exists(file));
  CHECK(d->digest == Digest::of("layer bytes"));
  CHECK(layout->read_blob(d->digest).value() == "layer bytes");
}

TEST_CASE("layout: tags name manifests in index.json and replace an old entry") {
  auto temp = ssf::TempDir::create();
  auto layout = OciLayout::open_or_create(temp->path());
  auto first = layout->put_blob("m1", kOciManifest);
  auto second = layout->put_blob("m2", kOciManifest);
  REQUIRE(layout->tag("app:1", *first));
  CHECK(layout->resolve("").value().digest == first->digest);  // the only one
  REQUIRE(layout->tag("app:2", *second));
  REQUIRE(layout->tag("app:1", *second));
  CHECK(layout->index()->manifests.size() == 2);
  CHECK(layout->resolve("app:1").value().digest == second->digest);
  auto ambiguous = layout->resolve("");
  REQUIRE_FALSE(ambiguous);
  CHECK(ambiguous.error().message().find("holds 2 images") != std::string::npos);
  auto missing = layout->resolve("app:3");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message().find("no image 'app:3'") != std::string::npos);
}
