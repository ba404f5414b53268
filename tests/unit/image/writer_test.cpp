#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "image/image.h"

using namespace ssf::image;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  ssf::TempDir temp = ssf::TempDir::create().value();
  LayerCache cache = LayerCache::open(temp.path() / "cache").value();

  NewLayer layer(const std::string& path, const std::string& content) {
    LayerSpec spec;
    spec.entries = {LayerEntry{LayerEntry::Kind::File, path, 0644, {}, content, {}}};
    auto key = layer_key(spec, {}).value();
    auto blob = cache.get_or_make(key, [&](const fs::path& out) { return write_layer(spec, out); });
    REQUIRE(blob);
    return NewLayer{*blob, HistoryEntry{rfc3339(0), "test " + path, "", "", false}};
  }

  Descriptor image(const BaseImage& base, const std::string& dir, const std::string& tag) {
    auto out = OciLayout::open_or_create(temp.path() / dir).value();
    ImageConfig config = base.config;
    config.config.cmd = std::vector<std::string>{"/app"};
    auto d = write_image(base, cache.layout(), {layer("app/a", "alpha")}, config, {}, out, tag);
    REQUIRE(d);
    return *d;
  }
};

std::string run(const std::vector<std::string>& argv) {
  auto out = ssf::run_process(argv);
  REQUIRE(out);
  INFO(out->out);
  REQUIRE(out->exit_code == 0);
  return out->out;
}

}  // namespace

TEST_CASE("writer: an image on scratch is a valid OCI layout that skopeo reads") {
  Fixture f;
  auto scratch = open_base("scratch", f.cache).value();
  Descriptor d = f.image(scratch, "out", "simple-test:1.0");
  auto layout = OciLayout::open(f.temp.path() / "out").value();
  CHECK(layout.resolve("simple-test:1.0").value().digest == d.digest);
  auto inspect = nlohmann::json::parse(
      run({"skopeo", "inspect", "oci:" + (f.temp.path() / "out").string() + ":simple-test:1.0"}));
  CHECK(inspect["Layers"].size() == 1);
  CHECK(inspect["Os"] == "linux");
  CHECK(inspect["Architecture"] == "amd64");
  auto config = nlohmann::json::parse(run({"skopeo", "inspect", "--config",
                                           "oci:" + (f.temp.path() / "out").string() + ":simple-test:1.0"}));
  CHECK(config["config"]["Cmd"][0] == "/app");
  CHECK(config["rootfs"]["diff_ids"].size() == 1);
  CHECK(config["history"][0]["created_by"] == "test app/a");
}

TEST_CASE("writer: the same inputs give the same manifest digest") {
  Fixture f;
  auto scratch = open_base("scratch", f.cache).value();
  CHECK(f.image(scratch, "one", "t:1").digest == f.image(scratch, "two", "t:1").digest);
}

TEST_CASE("writer: a rootfs base is one gzipped layer, converted once") {
  Fixture f;
  fs::create_directories(f.temp.path() / "root" / "bin");
  std::ofstream(f.temp.path() / "root" / "bin" / "tool") << "tool";
  run({"tar", "-C", (f.temp.path() / "root").string(), "-cf", (f.temp.path() / "rootfs.tar").string(),
       "."});
  std::string spec = "rootfs:" + (f.temp.path() / "rootfs.tar").string();
  auto base = open_base(spec, f.cache);
  REQUIRE(base);
  CHECK(base->layers.size() == 1);
  CHECK(base->config.diff_ids.front() == Digest::of_file(f.temp.path() / "rootfs.tar").value());
  CHECK(base->config.config.get_env("PATH"));
  auto again = open_base(spec, f.cache);
  REQUIRE(again);
  CHECK(again->manifest_descriptor->digest == base->manifest_descriptor->digest);
  Descriptor d = f.image(*base, "out", "t:1");
  auto layout = OciLayout::open(f.temp.path() / "out").value();
  auto manifest = Manifest::parse(layout.read_blob(d.digest).value()).value();
  CHECK(manifest.layers.size() == 2);
  CHECK(manifest.layers[0].digest == base->layers[0].digest);
  // Shared, not copied: the base layer in the image is the cache's inode.
  CHECK(fs::hard_link_count(layout.blob_path(manifest.layers[0].digest)) >= 2);
}

TEST_CASE("writer: a docker archive has docker's manifest.json and is an OCI layout too") {
  Fixture f;
  auto scratch = open_base("scratch", f.cache).value();
  Descriptor d = f.image(scratch, "out", "127.0.0.1:5000/library/simple-test");
  auto layout = OciLayout::open(f.temp.path() / "out").value();
  fs::path archive = f.temp.path() / "image.tar";
  REQUIRE(write_docker_archive(layout, d, {"127.0.0.1:5000/library/simple-test"}, archive));
  auto manifest = Manifest::parse(layout.read_blob(d.digest).value()).value();
  std::string listing = run({"tar", "-tf", archive.string()});
  CHECK(listing == fmt::format("blobs/\nblobs/sha256/\n{}index.json\nmanifest.json\noci-layout\nrepositories\n", [&] {
          std::set<std::string> hexes{std::string(d.digest.hex()),
                                      std::string(manifest.config.digest.hex()),
                                      std::string(manifest.layers[0].digest.hex())};
          std::string out;
          for (const auto& h : hexes) out += "blobs/sha256/" + h + "\n";
          return out;
        }()));
  auto extracted = f.temp.path() / "x";
  fs::create_directories(extracted);
  run({"tar", "-C", extracted.string(), "-xf", archive.string()});
  auto docker = nlohmann::json::parse(ssf::read_file(extracted / "manifest.json").value());
  CHECK(docker[0]["Config"] == "blobs/sha256/" + std::string(manifest.config.digest.hex()));
  CHECK(docker[0]["RepoTags"][0] == "127.0.0.1:5000/library/simple-test:latest");
  CHECK(docker[0]["Layers"][0] == "blobs/sha256/" + std::string(manifest.layers[0].digest.hex()));
  run({"skopeo", "inspect", "oci:" + extracted.string()});
  // And it reads back as a docker-archive: base, layer for layer.
  auto base = open_base("docker-archive:" + archive.string(), f.cache);
  REQUIRE(base);
  CHECK(base->layers.size() == 1);
  CHECK(base->layers[0].digest == manifest.layers[0].digest);
  CHECK(base->config.config.cmd == std::vector<std::string>{"/app"});
}

TEST_CASE("writer: an oci-layout base resolves a tag, or the only image") {
  Fixture f;
  auto scratch = open_base("scratch", f.cache).value();
  Descriptor d = f.image(scratch, "base", "mybase");
  auto tagged = open_base("oci-layout:" + (f.temp.path() / "base").string() + ":mybase", f.cache);
  REQUIRE(tagged);
  CHECK(tagged->manifest_descriptor->digest == d.digest);
  auto only = open_base("oci-layout:" + (f.temp.path() / "base").string(), f.cache);
  REQUIRE(only);
  CHECK(only->manifest_descriptor->digest == d.digest);
}

TEST_CASE("base: bad bases are one-line errors with code 36") {
  Fixture f;
  std::ofstream(f.temp.path() / "junk.tar") << "not a tar";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "base image '': no base image given"},
      {"rootfs:" + (f.temp.path() / "missing.tar").string(), "missing.tar is not a readable file"},
      {"docker-archive:" + (f.temp.path() / "junk.tar").string(), "base image 'docker-archive:"},
      {"oci-layout:" + f.temp.path().string() + ":nope", "is not an OCI image layout"},
      {"debian:12", "pulling from a registry is not available in this build"},
  };
  for (const auto& [spec, message] : cases) {
    CAPTURE(spec);
    auto base = open_base(spec, f.cache);
    REQUIRE_FALSE(base);
    CHECK(base.error().code() == ssf::ResultCode::PackagingError);
    CHECK(base.error().message().find(message) != std::string::npos);
    CHECK(base.error().message().find('\n') == std::string::npos);
  }
}

TEST_CASE("base: a registry reference goes to the pull it is given") {
  Fixture f;
  auto scratch = open_base("scratch", f.cache).value();
  // The "pull" writes an image into the layout it is given, as the registry client does.
  std::optional<Descriptor> pulled;
  BaseOptions options;
  std::string asked;
  options.pull = [&](std::string_view ref, OciLayout& into) -> ssf::Result<Descriptor> {
    asked = std::string(ref);
    CHECK(into.dir() == f.cache.layout().dir());
    pulled = f.image(scratch, "cache", "");
    return *pulled;
  };
  auto base = open_base("registry.local/debian:12", f.cache, options);
  REQUIRE(base);
  CHECK(asked == "registry.local/debian:12");
  CHECK(base->manifest_descriptor->digest == pulled->digest);
}
