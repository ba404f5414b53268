#pragma once
// Internal to image: what the base sources share.

#include <filesystem>
#include <string_view>
#include <vector>

#include "image/base.h"

namespace ssf::image {

// Stores `config` and a manifest of `layers` in `layout`; returns the manifest's descriptor.
Result<Descriptor> store_image(OciLayout& layout, const ImageConfig& config,
                               const std::vector<Descriptor>& layers);

// docker-archive:<file>, converted into the cache (docker_archive_import.cpp).
Result<BaseImage> open_docker_archive(std::string_view spec, const std::filesystem::path& archive,
                                      LayerCache& cache, const BaseOptions& options);

}  // namespace ssf::image
