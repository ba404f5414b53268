#pragma once
// `package`'s dependencies layer (package_dependencies.cpp says how and why).

#include <filesystem>

#include "config/config.h"
#include "core/core.h"
#include "image/image.h"

namespace ssf::cli::package {

inline constexpr std::string_view kDepsDir = "opt/ssf/deps/python";

bool has_python_dependencies(const config::Config& config);

// The layer's cache key: the specs, the requirements files' contents, the interpreter, the epoch.
// Errors: PackagingError for an unreadable requirements file.
Result<image::Digest> dependencies_key(const config::Config& config, int64_t epoch);

// Installs the dependencies into `work` and returns the layer. Errors: PackagingError (36)
// with pip's last line.
Result<image::LayerSpec> dependencies_layer(const config::Config& config, int64_t epoch,
                                            const std::filesystem::path& work);

}  // namespace ssf::cli::package
