// docker-archive:<file> as a base: a `docker save` tarball (plain or gzipped; the classic layout
// with <id>/layer.tar, or Docker 25's OCI layout with blobs/sha256/...), read with libarchive.
//
// Two passes over the archive, since manifest.json may come last: the first reads manifest.json
// and the config, the second takes each layer (gzipped into the cache when it is a plain tar,
// stored as it is when already gzipped). Layers are cached under the archive's identity and the
// layer's name, so an unchanged archive costs two reads of its headers.

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "image/base_internal.h"
#include "image/media_types.h"

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

using ArchivePtr = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

Error archive_error(std::string_view spec, std::string_view cause) {
  return Error(ResultCode::PackagingError, fmt::format("base image '{}': {}", spec, cause));
}

Result<ArchivePtr> open_archive(std::string_view spec, const fs::path& file) {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_filter_all(a.get());
  if (archive_read_open_filename(a.get(), file.c_str(), 1 << 20) != ARCHIVE_OK) {
    return archive_error(spec, fmt::format("cannot read {}: {}", file.string(),
                                           archive_error_string(a.get())));
  }
  return a;
}

std::string entry_name(struct archive_entry* entry) {
  std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
  while (starts_with(name, "./")) name = name.substr(2);
  return name;
}

Result<std::string> read_entry(struct archive* a) {
  std::string out;
  char buffer[65536];
  while (true) {
    la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
    if (n < 0) return Error(ResultCode::PackagingError, archive_error_string(a));
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
}

Status save_entry(struct archive* a, const fs::path& out) {
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  char buffer[1 << 16];
  while (true) {
    la_ssize_t n = archive_read_data(a, buffer, sizeof buffer);
    if (n < 0) return Error(ResultCode::PackagingError, archive_error_string(a));
    if (n == 0) break;
    file.write(buffer, n);
  }
  file.close();
  if (!file) return Error(ResultCode::PackagingError, "cannot write " + out.string());
  return {};
}

bool is_gzip(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

struct ArchiveManifest {
  std::string config;
  std::vector<std::string> layers;
};

}  // namespace

Result<BaseImage> open_docker_archive(std::string_view spec, const fs::path& file,
                                      LayerCache& cache, const BaseOptions& options) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return archive_error(spec, fmt::format("{} is not a readable file", file.string()));
  }
  std::string identity = fmt::format("docker-archive v1 {} {} {} {}.{} level {}",
                                     fs::absolute(file).string(), st.st_ino, st.st_size,
                                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                     options.layer.compression_level);

  // Pass 1: manifest.json, then the config it names.
  std::map<std::string, std::string> small;
  ArchiveManifest wanted;
  for (int pass = 0; pass < 2; ++pass) {
    auto a = open_archive(spec, file);
    if (!a) return std::move(a).error();
    struct archive_entry* entry = nullptr;
    while (archive_read_next_header(a->get(), &entry) == ARCHIVE_OK) {
      std::string name = entry_name(entry);
      bool want = pass == 0 ? name == "manifest.json" : name == wanted.config;
      if (!want) continue;
      auto text = read_entry(a->get());
      if (!text) return archive_error(spec, text.error().message());
      small[name] = std::move(*text);
    }
    if (pass == 0) {
      if (!small.count("manifest.json")) {
        return archive_error(spec, fmt::format("{} is not a docker archive (no manifest.json)",
                                               file.string()));
      }
      auto j = nlohmann::json::parse(small["manifest.json"], nullptr, false);
      if (j.is_discarded() || !j.is_array() || j.empty() || !j[0].is_object() ||
          !j[0].contains("Config") || !j[0]["Config"].is_string() || !j[0].contains("Layers") ||
          !j[0]["Layers"].is_array()) {
        return archive_error(spec, "malformed manifest.json");
      }
      wanted.config = j[0]["Config"].get<std::string>();
      for (const auto& layer : j[0]["Layers"]) {
        if (!layer.is_string()) return archive_error(spec, "malformed manifest.json");
        wanted.layers.push_back(layer.get<std::string>());
      }
    }
  }
  if (!small.count(wanted.config)) {
    return archive_error(spec, fmt::format("config {} is missing", wanted.config));
  }
  auto config = ImageConfig::parse(small[wanted.config]);
  if (!config) return archive_error(spec, config.error().message());
  if (config->diff_ids.size() != wanted.layers.size()) {
    return archive_error(spec, "its config and manifest.json disagree on the number of layers");
  }

  // Pass 2: the layers, each cached under (archive identity, layer name).
  std::map<std::string, LayerBlob> layers;
  std::map<std::string, Digest> keys;
  for (const auto& name : wanted.layers) {
    Digest key = Digest::of(identity + "\n" + name);
    keys.emplace(name, key);
    if (auto found = cache.find(key)) layers.emplace(name, *found);
  }
  if (layers.size() < keys.size()) {
    auto a = open_archive(spec, file);
    if (!a) return std::move(a).error();
    struct archive_entry* entry = nullptr;
    static std::atomic<unsigned> counter{0};
    while (archive_read_next_header(a->get(), &entry) == ARCHIVE_OK) {
      std::string name = entry_name(entry);
      auto key = keys.find(name);
      if (key == keys.end() || layers.count(name)) continue;
      fs::path raw = cache.layout().dir() / "blobs" /
                     fmt::format(".import-{}-{}", ::getpid(), counter++);
      Status saved = save_entry(a->get(), raw);
      auto blob = cache.get_or_make(key->second, [&](const fs::path& out) -> Result<LayerBlob> {
        if (!saved) return Error(saved.error());
        if (!is_gzip(raw)) return compress_tar(raw, out, options.layer);
        // Already gzipped: stored as it is; its diff_id is the config's.
        auto digest = Digest::of_file(raw);
        if (!digest) return std::move(digest).error();
        std::error_code ec;
        auto size = static_cast<int64_t>(fs::file_size(raw, ec));
        fs::rename(raw, out, ec);
        if (ec) return Error(ResultCode::PackagingError, "cannot store " + out.string());
        size_t index = 0;
        while (wanted.layers[index] != name) ++index;
        return LayerBlob{*digest, size, config->diff_ids[index], 0, 0};
      });
      std::error_code ec;
      fs::remove(raw, ec);
      if (!blob) return archive_error(spec, blob.error().message());
      layers.emplace(name, *blob);
    }
  }
  std::vector<Descriptor> descriptors;
  for (size_t i = 0; i < wanted.layers.size(); ++i) {
    auto it = layers.find(wanted.layers[i]);
    if (it == layers.end()) {
      return archive_error(spec, fmt::format("layer {} is missing", wanted.layers[i]));
    }
    if (it->second.diff_id != config->diff_ids[i]) {
      return archive_error(spec, fmt::format("layer {} does not match the config's diff_id {}",
                                             wanted.layers[i], config->diff_ids[i].str()));
    }
    descriptors.push_back(it->second.descriptor());
  }
  auto descriptor = store_image(cache.layout(), *config, descriptors);
  if (!descriptor) return archive_error(spec, descriptor.error().message());
  return base_from_layout(cache.layout(), *descriptor, std::string(spec));
}

}  // namespace ssf::image
