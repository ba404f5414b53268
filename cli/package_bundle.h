#pragma once
// Upstream's bundle tarball (package.name, default <id>.<version>.tar.gz, in the working
// directory): a Docker build context that makes the same image with `docker build`:
//   Dockerfile     from templates/docker/Dockerfile.template
//   src/app/...    the application layer's files
//   opt/ssf/...    the runtime layer's files
// Written without compressing the runtime again: the bundle is one gzip member holding the
// Dockerfile and src/ (a tar without its end blocks) followed by the runtime layer's own blob
// (a complete tar, gzipped): concatenated gzip members are one gzip stream (RFC 1952), and
// concatenated tar entries one archive.

#include <filesystem>
#include <string>

#include "config/config.h"
#include "core/core.h"
#include "image/image.h"
#include "package_recipe.h"

namespace ssf::cli::package {

// The Dockerfile for `config`'s image on `base_reference` (a name Docker knows).
std::string dockerfile(const config::Config& config, const std::string& tag,
                       const std::string& base_reference, const std::string& config_in_image);

// Writes the bundle to `out` (temporary name, then renamed). `files` null: no application (the
// generic image). Errors: PackagingError naming the file.
Status write_bundle(const std::filesystem::path& out, const std::string& dockerfile,
                    const AppFiles* files, const std::filesystem::path& runtime_blob,
                    int64_t epoch);

}  // namespace ssf::cli::package
