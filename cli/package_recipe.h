#pragma once
// The SSF recipe of `package`: which files go into which layer, and the image config. The image
// module knows OCI; this file is where SSF's choices about images are made (architecture.md,
// "Images"):
//   runtime       /opt/ssf/bin/gc-ssf (its PT_INTERP pointed at /opt/ssf/lib/ld.so), every shared
//                 library it (and a native app) needs in /opt/ssf/lib, the Python shim in
//                 /opt/ssf/share/gc-ssf/python: runs on any x86-64 Linux base, libc or not
//   dependencies  dependencies.python installed at package time (package_dependencies.cpp)
//   application   the app's files under /src/app/<path relative to their common parent>
// Entry point: gc-ssf --options-from-env SSF_OPTIONS --config /src/app/<config> run, in /src.

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/core.h"
#include "image/image.h"

namespace ssf::cli::package {

inline constexpr std::string_view kRuntimeDir = "opt/ssf";
inline constexpr std::string_view kInterpreter = "/opt/ssf/lib/ld.so";
inline constexpr std::string_view kExe = "/opt/ssf/bin/gc-ssf";
inline constexpr std::string_view kAppDir = "src/app";

struct AppFiles {
  std::filesystem::path parent;             // the common parent of every file
  std::vector<std::filesystem::path> files;  // absolute, sorted
  std::string config_in_image;              // "/src/app/<rel>/ssf_config.yaml"
};

// (inclusions − exclusions) ∪ {config, module, requirements files}, regular files only, globbed
// relative to the config's directory (ssf-behaviour.md §6.1 step 4). Warns, as upstream, about
// globs that match nothing. Errors: PackagingError naming a missing always-included file.
Result<AppFiles> application_files(const config::Config& config);

image::LayerSpec application_layer(const AppFiles& files, int64_t epoch);

// What the runtime layer is made of, found cheaply (ldd and a directory walk), so that the cache
// can be asked before anything is read or stripped.
struct RuntimeInputs {
  std::filesystem::path exe;  // this gc-ssf
  std::filesystem::path interpreter;
  std::vector<image::SharedLibrary> libraries;  // gc-ssf's and the native app's, by name
  std::filesystem::path shim_dir;
  std::vector<std::filesystem::path> shim_files;  // relative to shim_dir
};
// `native_module`: a native app's .so, whose libraries join the closure; empty for Python apps.
// The closure is remembered in `cache_dir` under the binaries' identities (ldd costs more than
// the rest of a warm package). Errors: PackagingError when ldd fails or a library is missing;
// FrameworkResourceError (4) when the Python shim is not found.
Result<RuntimeInputs> runtime_inputs(const std::filesystem::path& native_module,
                                     const std::filesystem::path& cache_dir);

// The cache key: every input's identity (path, size, mtime, inode: a rebuilt gc-ssf or an
// upgraded library gives a new layer; reading 30 MB of binaries to hash them would cost more than
// the rest of a warm package), the epoch and the layer options.
Result<image::Digest> runtime_key(const RuntimeInputs& inputs, int64_t epoch,
                                  const image::LayerOptions& options);

// The gc-ssf build makes the runtime layer of Python apps once, right after linking gc-ssf
// (`gc-ssf --ssf-runtime-layer <store>`), into a layer cache beside the binary:
// <prefix>/share/gc-ssf/layers, next to the shim. `package` links the layer from there when its
// key matches (same binary, libraries, shim; epoch 0; default options), so that no app's first
// package strips and gzips 50 MB. Any other case (a native app's closure, SOURCE_DATE_EPOCH, a
// rebuilt library, an installed copy of the binary) makes the layer as before.
std::filesystem::path prebuilt_store();
// The hidden entry mode's main: makes the layer into `store`; 0 on success, else the result code
// after a one-line error on stderr.
int prebuild_runtime_layer_main(const std::filesystem::path& store);

// The layer itself: gc-ssf without its debug sections and with PT_INTERP set to kInterpreter,
// the loader as ld.so, the libraries under their DT_NEEDED names, the shim.
Result<image::LayerSpec> runtime_layer(const RuntimeInputs& inputs, int64_t epoch);

// The new image's config: the base's, with SSF's entry point, environment, ports, labels and
// health check. `config_in_image` empty: the generic SSF image (self-package mode).
image::ImageConfig image_config(const image::BaseImage& base, const config::Config& config,
                                const std::string& config_in_image, int64_t epoch);

// History entries for the layers, in the image's config.
image::HistoryEntry history(std::string_view what, int64_t epoch);

}  // namespace ssf::cli::package
