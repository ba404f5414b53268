// Base images: parsing the spec, resolving a layout's manifest, and converting rootfs tarballs
// (docker_archive_import.cpp converts docker archives).

#include "image/base.h"

#include <sys/stat.h>

#include "image/base_internal.h"
#include "image/media_types.h"

namespace ssf::image {
namespace fs = std::filesystem;
namespace {

Error base_error(std::string_view spec, std::string_view cause) {
  return Error(ResultCode::PackagingError, fmt::format("base image '{}': {}", spec, cause));
}

// "oci-layout:<dir>[:<tag>]": the tag is after the last ':' that follows the last '/'.
std::pair<std::string, std::string> split_layout_spec(std::string_view rest) {
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
  }
  return {std::string(rest), ""};
}

Result<BaseImage> open_layout(std::string_view spec, std::string_view rest) {
  auto [dir, tag] = split_layout_spec(rest);
  auto layout = OciLayout::open(dir);
  if (!layout) return base_error(spec, layout.error().message());
  auto descriptor = layout->resolve(tag);
  if (!descriptor) return base_error(spec, descriptor.error().message());
  return base_from_layout(*layout, *descriptor, std::string(spec));
}

// A rootfs tarball is one layer; the key is the file's identity (path, inode, size, mtime), so
// that an unchanged tarball is not read again, and a rebuilt one (a new inode or mtime) is.
Result<BaseImage> open_rootfs(std::string_view spec, const fs::path& tar, LayerCache& cache,
                              const BaseOptions& options) {
  struct stat st {};
  if (::stat(tar.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return base_error(spec, fmt::format("{} is not a readable file", tar.string()));
  }
  std::string identity = fmt::format("rootfs v1 {} {} {} {}.{} level {}",
                                     fs::absolute(tar).string(), st.st_ino, st.st_size,
                                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                                     options.layer.compression_level);
  auto layer = cache.get_or_make(Digest::of(identity), [&](const fs::path& out) {
    return compress_tar(tar, out, options.layer);
  });
  if (!layer) return base_error(spec, layer.error().message());
  ImageConfig config;
  config.config.env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  config.diff_ids.push_back(layer->diff_id);
  config.history.push_back(
      HistoryEntry{"", fmt::format("rootfs {}", tar.filename().string()), "", "", false});
  auto descriptor = store_image(cache.layout(), config, {layer->descriptor()});
  if (!descriptor) return base_error(spec, descriptor.error().message());
  return base_from_layout(cache.layout(), *descriptor, std::string(spec));
}

}  // namespace

Result<Descriptor> store_image(OciLayout& layout, const ImageConfig& config,
                               const std::vector<Descriptor>& layers) {
  auto config_blob = layout.put_blob(config.to_json(), kOciConfig);
  if (!config_blob) return std::move(config_blob).error();
  Manifest manifest{std::string(kOciManifest), *config_blob, layers, {}};
  return layout.put_blob(manifest.to_json(), kOciManifest);
}

Result<BaseImage> base_from_layout(const OciLayout& layout, const Descriptor& descriptor,
                                   std::string name) {
  Descriptor chosen = descriptor;
  if (is_index_type(chosen.media_type)) {
    auto text = layout.read_blob(chosen.digest);
    if (!text) return base_error(name, text.error().message());
    auto index = Index::parse(*text);
    if (!index) return base_error(name, index.error().message());
    const Descriptor* amd64 = nullptr;
    for (const auto& m : index->manifests) {
      if (m.platform && m.platform->os == "linux" && m.platform->architecture == "amd64") {
        amd64 = &m;
        break;
      }
    }
    if (!amd64) return base_error(name, "the image index has no linux/amd64 image");
    chosen = *amd64;
  }
  if (!is_manifest_type(chosen.media_type)) {
    return base_error(name, fmt::format("unsupported manifest type '{}'", chosen.media_type));
  }
  auto text = layout.read_blob(chosen.digest);
  if (!text) return base_error(name, text.error().message());
  auto manifest = Manifest::parse(*text);
  if (!manifest) return base_error(name, manifest.error().message());
  auto config_text = layout.read_blob(manifest->config.digest);
  if (!config_text) return base_error(name, config_text.error().message());
  auto config = ImageConfig::parse(*config_text);
  if (!config) return base_error(name, config.error().message());
  if (config->diff_ids.size() != manifest->layers.size()) {
    return base_error(name, "its config and manifest disagree on the number of layers");
  }
  if (!config->os.empty() && (config->os != "linux" || config->architecture != "amd64")) {
    return base_error(name, fmt::format("it is a {}/{} image; gc-ssf images are linux/amd64",
                                        config->os, config->architecture));
  }
  for (const auto& layer : manifest->layers) {
    if (!layout.has_blob(layer.digest)) {
      return base_error(name, fmt::format("layer {} is missing from {}", layer.digest.str(),
                                          layout.dir().string()));
    }
  }
  return BaseImage{std::move(name), layout, chosen, std::move(manifest->layers), std::move(*config)};
}

Result<BaseImage> open_base(std::string_view spec, LayerCache& cache, const BaseOptions& options) {
  if (spec.empty()) return base_error(spec, "no base image given");
  if (spec == "scratch") {
    return BaseImage{"scratch", std::nullopt, std::nullopt, {}, ImageConfig{}};
  }
  if (starts_with(spec, "oci-layout:")) return open_layout(spec, spec.substr(11));
  if (starts_with(spec, "rootfs:")) return open_rootfs(spec, std::string(spec.substr(7)), cache, options);
  if (starts_with(spec, "docker-archive:")) {
    return open_docker_archive(spec, std::string(spec.substr(15)), cache, options);
  }
  if (!options.pull) {
    return base_error(spec,
                      "pulling from a registry is not available in this build; give the base as "
                      "oci-layout:<dir>[:<tag>], docker-archive:<file>, rootfs:<tar> or scratch");
  }
  auto descriptor = options.pull(spec, cache.layout());
  if (!descriptor) return std::move(descriptor).error().with_context(fmt::format("base image '{}'", spec));
  return base_from_layout(cache.layout(), *descriptor, std::string(spec));
}

}  // namespace ssf::image
