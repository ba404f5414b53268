// `package` (ssf-behaviour.md §6; architecture.md "Images"): base + runtime + dependencies +
// application layers → an OCI layout in .package/<id>/image, the bundle tarball, a docker archive
// on request, and the image loaded into the local Docker daemon when one is reachable.
//
// Nothing half-written is left where a good result was: the package directory is built under a
// temporary name and swapped in at the end; archives are written to a temporary name and renamed.
// Layers are cached in .package/.cache by the digest of their inputs, so that a package with one
// changed application file rebuilds the application layer only.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>

#include "commands.h"
#include "package_bundle.h"
#include "package_dependencies.h"
#include "package_docker.h"
#include "package_recipe.h"
#include "registry_access.h"

namespace fs = std::filesystem;

namespace ssf::cli {
namespace {

using Clock = std::chrono::steady_clock;

Error packaging(std::string message) { return Error(ResultCode::PackagingError, std::move(message)); }

Result<int64_t> source_date_epoch() {
  const char* value = std::getenv("SOURCE_DATE_EPOCH");
  if (!value || !*value) return int64_t{0};
  std::string text(trim(value));
  if (text.empty() || text.size() > 15 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return packaging(fmt::format("SOURCE_DATE_EPOCH '{}' is not a number of seconds", value));
  }
  return static_cast<int64_t>(std::stoll(text));
}


// One layer: from the cache, or built into it, shown as one progress item (a live line on a
// terminal; one log line per layer otherwise: what, entries, bytes, built or cached).
Result<image::NewLayer> make_layer(image::LayerCache& cache, Progress& progress,
                                   std::string_view what, const image::Digest& key,
                                   const std::function<Result<image::LayerSpec>()>& spec,
                                   image::LayerOptions options, int64_t epoch) {
  Progress::Id item = progress.start(fmt::format("{} layer", what));
  options.on_bytes = [&](uint64_t bytes) { progress.advance(item, bytes); };
  bool cached = false;
  auto blob = cache.get_or_make(
      key,
      [&](const fs::path& out) -> Result<image::LayerBlob> {
        auto s = spec();
        if (!s) return std::move(s).error();
        return image::write_layer(*s, out, options);
      },
      &cached);
  if (!blob) {
    progress.finish(item, "failed");
    return std::move(blob).error().with_context(fmt::format("{} layer", what));
  }
  progress.finish(item, fmt::format("{}, {} entries, {} gzipped{}", cached ? "cached" : "built",
                                    blob->files, Progress::format_bytes(blob->size),
                                    cached ? "" : ","));
  return image::NewLayer{*blob, package::history(what, epoch)};
}

// Replaces `target` by `built` (both directories), so that `target` is never half-made.
Status swap_in(const fs::path& built, const fs::path& target) {
  std::error_code ec;
  fs::path old = target.parent_path() / fmt::format(".{}.old-{}", target.filename().string(), ::getpid());
  if (fs::exists(target, ec)) {
    fs::rename(target, old, ec);
    if (ec) return packaging(fmt::format("cannot replace {}: {}", target.string(), ec.message()));
  }
  fs::rename(built, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::rename(old, target, ignored);
    return packaging(fmt::format("cannot write {}: {}", target.string(), ec.message()));
  }
  fs::remove_all(old, ec);
  return {};
}

struct Built {
  image::Descriptor manifest;
  fs::path layout_dir;
  image::BaseImage base;
  std::string base_ref;  // the bundle's FROM
  fs::path bundle;
};

// The name the bundle's Dockerfile builds FROM: a registry reference or scratch as they are;
// other bases have no name Docker knows, so the docker builder loads them under this one.
std::string base_reference(const image::BaseImage& base, const std::string& app_id) {
  if (base.name == "scratch" || !base.manifest_descriptor) return "scratch";
  for (std::string_view kind : {"oci-layout:", "docker-archive:", "rootfs:"}) {
    if (starts_with(base.name, kind)) {
      return fmt::format("gc-ssf-base/{}:{}", app_id,
                         base.manifest_descriptor->digest.hex().substr(0, 12));
    }
  }
  return base.name;
}

Result<Built> build_native(const Context& context, const std::string& tag, int64_t epoch) {
  const auto& config = context.config;
  const auto& app = config.application;
  fs::path root = context.cwd / ".package";
  image::LayerOptions options;

  auto cache = image::LayerCache::open(root / ".cache");
  if (!cache) return std::move(cache).error();
  auto start = Clock::now();
  // A base named by a registry reference is pulled into the layer cache (a content-addressed
  // OCI layout), so that a second package fetches nothing.
  image::RegistryPull pull = [&context](std::string_view text,
                                        image::OciLayout& into) -> Result<image::Descriptor> {
    auto reference = registry::Reference::parse(text);
    if (!reference) return std::move(reference).error();
    auto client = registry_client_options(context.options, reference->registry);
    if (!client) return std::move(client).error();
    auto pulled = registry::pull(*reference, into, *client);
    // An unreadable base is a packaging failure (36), whatever the registry said.
    if (!pulled) return Error(ResultCode::PackagingError, pulled.error().message());
    return pulled;
  };
  auto base = image::open_base(app.package.baseimage, *cache, {pull, options});
  if (!base) return std::move(base).error();
  log::info("Base {}: {} layers{} ({:.2f} s)", base->name, base->layers.size(),
            base->manifest_descriptor ? ", " + base->manifest_descriptor->digest.str() : "",
            std::chrono::duration<double>(Clock::now() - start).count());

  std::vector<image::NewLayer> layers;
  bool python_dependencies = !config.self_package && package::has_python_dependencies(config);
  Progress progress(fmt::format("package {}", tag),
                    1 + (python_dependencies ? 1 : 0) + (config.self_package ? 0 : 1));
  fs::path native_module;
  if (!config.self_package && ends_with(app.module.string(), ".so")) native_module = app.module;
  auto runtime = package::runtime_inputs(native_module, root / ".cache");
  if (!runtime) return std::move(runtime).error();
  auto runtime_key = package::runtime_key(*runtime, epoch, options);
  if (!runtime_key) return std::move(runtime_key).error();
  // Made by the gc-ssf build already? Then it is linked in, not made again.
  if (!cache->find(*runtime_key)) {
    if (auto prebuilt = image::LayerCache::open_existing(package::prebuilt_store())) {
      auto adopted = cache->adopt(*prebuilt, *runtime_key);
      if (!adopted) return std::move(adopted).error();
      if (*adopted) log::debug("Runtime layer from {}", prebuilt->layout().dir().string());
    }
  }
  auto layer = make_layer(
      *cache, progress, "runtime", *runtime_key, [&] { return package::runtime_layer(*runtime, epoch); },
      options, epoch);
  if (!layer) return std::move(layer).error();
  layers.push_back(std::move(*layer));

  if (python_dependencies) {
    auto key = package::dependencies_key(config, epoch);
    if (!key) return std::move(key).error();
    auto work = TempDir::create("gc-ssf-deps-");
    if (!work) return std::move(work).error();
    auto deps = make_layer(
        *cache, progress, "dependencies", *key,
        [&] { return package::dependencies_layer(config, epoch, work->path()); }, options, epoch);
    if (!deps) return std::move(deps).error();
    layers.push_back(std::move(*deps));
  }

  std::string config_in_image;
  std::optional<package::AppFiles> files;
  if (!config.self_package) {
    auto found = package::application_files(config);
    if (!found) return std::move(found).error();
    files = std::move(*found);
    config_in_image = files->config_in_image;
    image::LayerSpec spec = package::application_layer(*files, epoch);
    auto key = image::layer_key(spec, options, "application");
    if (!key) return std::move(key).error();
    auto app_layer = make_layer(
        *cache, progress, "application", *key, [&]() -> Result<image::LayerSpec> { return spec; }, options,
        epoch);
    if (!app_layer) return std::move(app_layer).error();
    layers.push_back(std::move(*app_layer));
  }

  // Built beside its final place, then swapped in.
  fs::path target = root / app.id;
  fs::path temp = root / fmt::format(".{}.tmp-{}", app.id, ::getpid());
  std::error_code ec;
  fs::remove_all(temp, ec);
  auto layout = image::OciLayout::open_or_create(temp / "image");
  if (!layout) return std::move(layout).error();
  image::ImageConfig image_config = package::image_config(*base, config, config_in_image, epoch);
  if (python_dependencies) {
    auto existing = image_config.config.get_env("PYTHONPATH");
    image_config.config.set_env("PYTHONPATH", "/" + std::string(package::kDepsDir) +
                                                  (existing ? ":" + *existing : ""));
  }
  auto manifest = image::write_image(*base, cache->layout(), layers, image_config, {}, *layout, tag);
  if (!manifest) {
    fs::remove_all(temp, ec);
    return std::move(manifest).error();
  }
  // The bundle (upstream's tarball) before the swap: a failure leaves the old package whole.
  std::string bundle_name = context.options.package_name.value_or(app.package.name);
  Status bundled = package::write_bundle(
      context.cwd / bundle_name,
      package::dockerfile(config, tag, base_reference(*base, app.id), config_in_image),
      files ? &*files : nullptr, cache->layout().blob_path(layers.front().blob.digest), epoch);
  if (!bundled) {
    fs::remove_all(temp, ec);
    return std::move(bundled).error();
  }
  log::info("Bundle {}", bundle_name);
  Status swapped = swap_in(temp, target);
  if (!swapped) {
    fs::remove_all(temp, ec);
    return std::move(swapped).error();
  }
  std::string ref = base_reference(*base, app.id);
  return Built{*manifest, target / "image", std::move(*base), ref, context.cwd / bundle_name};
}

// The docker builder (package.docker.run): `docker build` of the bundle, then the image Docker
// made replaces the native one in .package/<id>/image, so that publish pushes what ran the RUN
// lines.
Status rebuild_with_docker(const Context& context, Built& built, const std::string& tag) {
  const auto& app = context.config.application;
  fs::path root = context.cwd / ".package";
  fs::path saved = root / fmt::format(".{}.saved-{}.tar", app.id, ::getpid());
  std::function<Status()> load_base;
  if (starts_with(built.base_ref, "gc-ssf-base/")) {
    load_base = [&]() -> Status {
      fs::path archive = root / fmt::format(".{}.base-{}.tar", app.id, ::getpid());
      Status s = image::write_docker_archive(*built.base.layout, *built.base.manifest_descriptor,
                                             {built.base_ref}, archive);
      if (s) s = package::docker_load(archive);
      std::error_code ec;
      fs::remove(archive, ec);
      return s;
    };
  }
  Status status = package::docker_build(built.bundle, tag, load_base, saved);
  auto cleanup = [&] {
    std::error_code ec;
    fs::remove(saved, ec);
  };
  if (!status) {
    cleanup();
    return status;
  }
  auto cache = image::LayerCache::open(root / ".cache");
  if (!cache) return std::move(cache).error();
  auto docker_image = image::open_base("docker-archive:" + saved.string(), *cache);
  cleanup();
  if (!docker_image) return std::move(docker_image).error();
  fs::path temp = root / fmt::format(".{}.tmp-{}", app.id, ::getpid());
  std::error_code ec;
  fs::remove_all(temp, ec);
  auto layout = image::OciLayout::open_or_create(temp / "image");
  if (!layout) return std::move(layout).error();
  auto manifest = image::write_image(*docker_image, cache->layout(), {}, docker_image->config, {},
                                     *layout, tag);
  if (!manifest) {
    fs::remove_all(temp, ec);
    return std::move(manifest).error();
  }
  SSF_TRY(swap_in(temp, root / app.id));
  built.manifest = *manifest;
  return {};
}

Status package_image(Context& context) {
  const auto& app = context.config.application;
  const auto& options = context.options;
  std::string tag = options.package_tag.value_or(app.package.tag);
  auto epoch = source_date_epoch();
  if (!epoch) return std::move(epoch).error();

  bool wants_run = !trim(app.package.docker_run).empty();
  std::string builder = options.builder.value_or(wants_run ? "docker" : "native");
  if (builder == "native" && wants_run) {
    return packaging(
        "package.docker.run needs a builder that can RUN commands: use --builder docker (with a "
        "Docker daemon), or move those steps into the base image");
  }
  if (builder == "docker") {
    if (!package::docker_daemon_reachable()) {
      return packaging(
          "the docker builder needs a Docker daemon and none is reachable (DOCKER_HOST, "
          "/var/run/docker.sock); without package.docker.run, the native builder needs none");
    }
  }

  auto start = Clock::now();
  auto built = build_native(context, tag, *epoch);
  if (!built) return std::move(built).error();
  if (builder == "docker") {
    SSF_TRY(rebuild_with_docker(context, *built, tag));
    log::info("Image {} built by docker, in the local Docker daemon and in {}", tag,
              built->layout_dir.lexically_relative(context.cwd).string());
    if (options.package_output) {
      auto layout = image::OciLayout::open(built->layout_dir);
      if (!layout) return std::move(layout).error();
      SSF_TRY(image::write_docker_archive(*layout, built->manifest, {tag},
                                          context.cwd / *options.package_output, *epoch));
    }
    return {};
  }
  log::info("Image {} {} in {} ({:.2f} s)", tag, built->manifest.digest.str(),
            built->layout_dir.lexically_relative(context.cwd).string(),
            std::chrono::duration<double>(Clock::now() - start).count());

  auto layout = image::OciLayout::open(built->layout_dir);
  if (!layout) return std::move(layout).error();
  bool daemon = package::docker_daemon_reachable();
  std::optional<fs::path> archive;
  if (options.package_output) {
    archive = context.cwd / *options.package_output;
  } else if (daemon) {
    archive = context.cwd / ".package" / fmt::format(".{}.docker-{}.tar", app.id, ::getpid());
  }
  if (archive) {
    SSF_TRY(image::write_docker_archive(*layout, built->manifest, {tag}, *archive, *epoch));
    if (options.package_output) log::info("Docker archive {}", archive->string());
  }
  if (daemon) {
    Status loaded = package::docker_load(*archive);
    if (!options.package_output) {
      std::error_code ec;
      fs::remove(*archive, ec);
    }
    SSF_TRY(std::move(loaded));
    log::info("Loaded {} into the local Docker daemon", tag);
    log::info("Run it with: docker run --rm -d --network host --name {} {}", app.id, tag);
  } else {
    log::info("No Docker daemon reachable: the image is in {} only",
              built->layout_dir.lexically_relative(context.cwd).string());
  }
  return {};
}

}  // namespace

Status run_package(Context& context) {
  Status status = package_image(context);
  if (!status) {
    return std::move(status).error().with_context(
        fmt::format("Failure packaging {}", context.config.application.id));
  }
  return {};
}

}  // namespace ssf::cli
