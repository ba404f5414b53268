#include <catch2/catch.hpp>

#include <fstream>

#include "image/image.h"

using namespace ssf::image;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

LayerEntry file(std::string path, fs::path source, uint32_t mode = 0644) {
  return LayerEntry{LayerEntry::Kind::File, std::move(path), mode, std::move(source), {}, {}};
}

LayerEntry inline_file(std::string path, std::string content) {
  return LayerEntry{LayerEntry::Kind::File, std::move(path), 0644, {}, std::move(content), {}};
}

std::string gunzip(const fs::path& blob) {
  auto out = ssf::run_process({"gzip", "-dc", blob.string()});
  REQUIRE(out);
  REQUIRE(out->exit_code == 0);
  return out->out;
}

}  // namespace

TEST_CASE("layer: the tar has sorted entries, parent directories, uid 0 and the given mtime") {
  auto temp = ssf::TempDir::create();
  write(temp->path() / "b.txt", "bee\n");
  write(temp->path() / "run.sh", "#!/bin/sh\n");
  LayerSpec spec;
  spec.mtime = 1700000000;
  spec.entries = {file("src/app/z/b.txt", temp->path() / "b.txt"),
                  file("src/app/run.sh", temp->path() / "run.sh", 0755),
                  inline_file("etc/hello", "hi\n"),
                  LayerEntry{LayerEntry::Kind::Symlink, "src/link", 0777, {}, {}, "app/run.sh"}};
  auto blob = write_layer(spec, temp->path() / "layer.tar.gz");
  REQUIRE(blob);
  CHECK(blob->files == 8);  // the 4 entries, and etc, src, src/app, src/app/z
  // GNU tar reads it back, in this order, with these owners, modes and times.
  ssf::ProcessOptions utc;
  utc.env = {{"TZ", "UTC"}};
  auto listing = ssf::run_process(
      {"tar", "--numeric-owner", "--full-time", "-tvzf", (temp->path() / "layer.tar.gz").string()},
      utc);
  REQUIRE(listing);
  REQUIRE(listing->exit_code == 0);
  CHECK(listing->out ==
        "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 etc/\n"
        "-rw-r--r-- 0/0               3 2023-11-14 22:13:20 etc/hello\n"
        "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 src/\n"
        "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 src/app/\n"
        "-rwxr-xr-x 0/0              10 2023-11-14 22:13:20 src/app/run.sh\n"
        "drwxr-xr-x 0/0               0 2023-11-14 22:13:20 src/app/z/\n"
        "-rw-r--r-- 0/0               4 2023-11-14 22:13:20 src/app/z/b.txt\n"
        "lrwxrwxrwx 0/0               0 2023-11-14 22:13:20 src/link -> app/run.sh\n");
}

TEST_CASE("layer: diff_id is the sha256 of the tar, digest the sha256 of the blob") {
  auto temp = ssf::TempDir::create();
  LayerSpec spec;
  spec.entries = {inline_file("a", "alpha\n")};
  auto blob = write_layer(spec, temp->path() / "l.gz");
  REQUIRE(blob);
  std::string tar = gunzip(temp->path() / "l.gz");
  CHECK(blob->diff_id == Digest::of(tar));
  CHECK(blob->tar_size == static_cast<int64_t>(tar.size()));
  CHECK(blob->digest == Digest::of_file(temp->path() / "l.gz").value());
  CHECK(blob->size == static_cast<int64_t>(fs::file_size(temp->path() / "l.gz")));
  CHECK(blob->descriptor().media_type == kOciLayerGzip);
  // A known vector: one 6-byte file "a" at mtime 0 is a header, one data block and the two
  // end blocks (checked against GNU tar's reading above), whatever the host.
  CHECK(tar.size() == 4 * 512);
  // The gzip header has no name and no time: bytes 4..7 (MTIME) are zero.
  auto raw = ssf::read_file(temp->path() / "l.gz").value();
  CHECK(raw.substr(0, 3) == std::string("\x1f\x8b\x08", 3));
  CHECK(raw.substr(4, 4) == std::string(4, '\0'));
}

TEST_CASE("layer: the same spec gives the same bytes whatever the files' times, owners and order") {
  auto temp = ssf::TempDir::create();
  write(temp->path() / "x", "x content");
  write(temp->path() / "y", "y content");
  LayerSpec one;
  one.entries = {file("d/x", temp->path() / "x"), file("d/y", temp->path() / "y")};
  LayerSpec two;
  two.entries = {file("d/y", temp->path() / "y"), file("d/x", temp->path() / "x")};
  auto a = write_layer(one, temp->path() / "a.gz");
  fs::last_write_time(temp->path() / "x", fs::file_time_type::clock::now() - std::chrono::hours(5));
  auto b = write_layer(two, temp->path() / "b.gz");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->digest == b->digest);
  CHECK(a->diff_id == b->diff_id);
  Digest key_one = layer_key(one, {}).value();
  CHECK(key_one == layer_key(two, {}).value());
  // A changed content, mode or mtime changes the key and the layer.
  LayerSpec three = one;
  three.entries[0].mode = 0755;
  CHECK(layer_key(three, {}).value() != layer_key(one, {}).value());
  LayerSpec four = one;
  four.mtime = 1;
  CHECK(layer_key(four, {}).value() != layer_key(one, {}).value());
  CHECK(write_layer(four, temp->path() / "c.gz")->diff_id != a->diff_id);
  CHECK(layer_key(one, {}, "salt").value() != key_one);
  write(temp->path() / "y", "y changed");
  CHECK(layer_key(one, {}).value() != key_one);
}

TEST_CASE("layer: long paths use a pax header and read back whole") {
  auto temp = ssf::TempDir::create();
  std::string deep = "src/app/" + std::string(120, 'n') + "/" + std::string(90, 'f') + ".py";
  LayerSpec spec;
  spec.entries = {inline_file(deep, "print(1)\n")};
  auto blob = write_layer(spec, temp->path() / "l.gz");
  REQUIRE(blob);
  auto listing = ssf::run_process({"tar", "-tzf", (temp->path() / "l.gz").string()});
  REQUIRE(listing);
  CHECK(listing->exit_code == 0);
  CHECK(listing->out.find(deep + "\n") != std::string::npos);
  CHECK(listing->out.find("PaxHeaders") == std::string::npos);  // a header, not an entry
}

TEST_CASE("layer: bad specs fail with the path named, and leave no blob behind to trust") {
  auto temp = ssf::TempDir::create();
  LayerSpec twice;
  twice.entries = {inline_file("a", "1"), inline_file("a", "2")};
  auto r = write_layer(twice, temp->path() / "l.gz");
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ssf::ResultCode::PackagingError);
  CHECK(r.error().message() == "two entries for 'a' in one layer");

  LayerSpec climbing;
  climbing.entries = {inline_file("../etc/passwd", "x")};
  CHECK(write_layer(climbing, temp->path() / "l.gz").error().message() ==
        "invalid path in layer: '../etc/passwd'");

  LayerSpec missing;
  missing.entries = {file("a", temp->path() / "nope")};
  auto m = write_layer(missing, temp->path() / "l.gz");
  REQUIRE_FALSE(m);
  CHECK(m.error().message().find("nope") != std::string::npos);

  LayerSpec file_and_dir;
  file_and_dir.entries = {inline_file("a", "1"), inline_file("a/b", "2")};
  CHECK(write_layer(file_and_dir, temp->path() / "l.gz").error().message() ==
        "'a' is both a directory and a file in one layer");
}

TEST_CASE("layer: compress_tar keeps the tar as it is") {
  auto temp = ssf::TempDir::create();
  write(temp->path() / "in" / "f", "data");
  auto made = ssf::run_process({"tar", "-C", (temp->path() / "in").string(), "-cf",
                                (temp->path() / "in.tar").string(), "f"});
  REQUIRE(made);
  REQUIRE(made->exit_code == 0);
  auto blob = compress_tar(temp->path() / "in.tar", temp->path() / "out.gz");
  REQUIRE(blob);
  CHECK(blob->diff_id == Digest::of_file(temp->path() / "in.tar").value());
  CHECK(gunzip(temp->path() / "out.gz") == ssf::read_file(temp->path() / "in.tar").value());
}

TEST_CASE("layer cache: a layer is made once per key and found again") {
  auto temp = ssf::TempDir::create();
  auto cache = LayerCache::open(temp->path() / "cache");
  REQUIRE(cache);
  LayerSpec spec;
  spec.entries = {inline_file("a", "alpha")};
  Digest key = layer_key(spec, {}).value();
  int made = 0;
  auto make = [&](const fs::path& out) {
    ++made;
    return write_layer(spec, out);
  };
  bool cached = true;
  auto first = cache->get_or_make(key, make, &cached);
  REQUIRE(first);
  CHECK_FALSE(cached);
  auto second = cache->get_or_make(key, make, &cached);
  REQUIRE(second);
  CHECK(cached);
  CHECK(made == 1);
  CHECK(second->digest == first->digest);
  CHECK(second->diff_id == first->diff_id);
  CHECK(cache->layout().has_blob(first->digest));
  // A record whose blob went is a miss: the layer is made again.
  fs::remove(cache->layout().blob_path(first->digest));
  CHECK_FALSE(cache->find(key));
  REQUIRE(cache->get_or_make(key, make, &cached));
  CHECK(made == 2);
  // A failed make leaves no record.
  Digest other = Digest::of("other");
  auto failed = cache->get_or_make(other, [](const fs::path&) -> ssf::Result<LayerBlob> {
    return ssf::Error(ssf::ResultCode::PackagingError, "boom");
  });
  REQUIRE_FALSE(failed);
  CHECK_FALSE(cache->find(other));
}
