// The runtime layer made at build time (package_recipe.h, prebuilt_store).

#include <cstdio>

#include "image/layer_cache.h"
#include "package_recipe.h"

namespace fs = std::filesystem;

namespace ssf::cli::package {

fs::path prebuilt_store() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return (exe.parent_path() / ".." / "share" / "gc-ssf" / "layers").lexically_normal();
}

namespace {

Status prebuild(const fs::path& store) {
  auto cache = image::LayerCache::open(store);
  if (!cache) return std::move(cache).error();
  // The closure record goes into the store too: it is the store's, not an app's.
  auto inputs = runtime_inputs({}, store);
  if (!inputs) return std::move(inputs).error();
  // Epoch 0 and default options: what `package` uses unless told otherwise.
  const int64_t epoch = 0;
  image::LayerOptions options;
  auto key = runtime_key(*inputs, epoch, options);
  if (!key) return std::move(key).error();
  auto blob = cache->get_or_make(*key, [&](const fs::path& out) -> Result<image::LayerBlob> {
    auto spec = runtime_layer(*inputs, epoch);
    if (!spec) return std::move(spec).error();
    return image::write_layer(*spec, out, options);
  });
  if (!blob) return std::move(blob).error();
  std::printf("gc-ssf runtime layer %s (%lld bytes) in %s\n", blob->digest.str().c_str(),
              static_cast<long long>(blob->size), store.c_str());
  return {};
}

}  // namespace

int prebuild_runtime_layer_main(const fs::path& store) {
  Status made = prebuild(store);
  if (made) return 0;
  std::fprintf(stderr, "gc-ssf: runtime layer: %s\n", made.error().message().c_str());
  return static_cast<int>(made.error().code());
}

}  // namespace ssf::cli::package
