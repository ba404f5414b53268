#include "package_recipe.h"

#include <sys/stat.h>

#include <algorithm>
#include <optional>
#include <set>

#include "apphost/apphost.h"

namespace fs = std::filesystem;

namespace ssf::cli::package {
namespace {

Error packaging(std::string message) { return Error(ResultCode::PackagingError, std::move(message)); }

bool is_regular(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

bool executable(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && (st.st_mode & 0111) != 0;
}

fs::path common_parent(const std::vector<fs::path>& files) {
  fs::path parent = files.front().parent_path();
  for (const auto& f : files) {
    fs::path dir = f.parent_path();
    fs::path common;
    auto a = parent.begin();
    auto b = dir.begin();
    for (; a != parent.end() && b != dir.end() && *a == *b; ++a, ++b) common /= *a;
    parent = common;
  }
  return parent;
}

std::string identity(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return p.string() + " missing";
  return fmt::format("{} {} {} {}.{}", p.string(), st.st_ino, st.st_size, st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec);
}

}  // namespace

Result<AppFiles> application_files(const config::Config& config) {
  const auto& app = config.application;
  const fs::path dir = app.dir;
  std::set<fs::path> included;
  for (const auto& glob : app.package.inclusions) {
    auto found = glob_files(dir, glob);
    if (found.empty()) log::warning("No matching files found for inclusions '{}'", glob);
    for (const auto& f : found) included.insert(fs::weakly_canonical(dir / f));
  }
  for (const auto& glob : app.package.exclusions) {
    auto found = glob_files(dir, glob);
    if (found.empty()) log::warning("No matching files found for exclusions '{}'", glob);
    for (const auto& f : found) included.erase(fs::weakly_canonical(dir / f));
  }
  std::vector<fs::path> always = {config.file, app.module};
  always.insert(always.end(), app.dependencies.requirements.begin(),
                app.dependencies.requirements.end());
  for (const auto& f : always) {
    fs::path p = fs::weakly_canonical(f.is_absolute() ? f : dir / f);
    if (!is_regular(p)) return packaging(fmt::format("Missing application file {}", p.string()));
    included.insert(p);
  }
  AppFiles out;
  out.files.assign(included.begin(), included.end());
  out.parent = common_parent(out.files);
  fs::path config_rel = fs::weakly_canonical(config.file).lexically_relative(out.parent);
  out.config_in_image = "/" + std::string(kAppDir) + "/" + config_rel.generic_string();
  return out;
}

image::LayerSpec application_layer(const AppFiles& files, int64_t epoch) {
  image::LayerSpec spec;
  spec.mtime = epoch;
  for (const auto& f : files.files) {
    image::LayerEntry e;
    e.path = std::string(kAppDir) + "/" + f.lexically_relative(files.parent).generic_string();
    e.mode = executable(f) ? 0755 : 0644;
    e.source = f;
    spec.entries.push_back(std::move(e));
  }
  return spec;
}

namespace {

// The remembered closure: "<interpreter>\n" then "<name> <path>\n" per library; nullopt when
// absent or when a library it names has gone.
std::optional<image::LibraryClosure> read_closure(const fs::path& file) {
  auto text = read_file(file);
  if (!text) return std::nullopt;
  auto lines = split(*text, '\n');
  if (lines.size() < 2 || !is_regular(lines[0])) return std::nullopt;
  image::LibraryClosure closure;
  closure.interpreter = lines[0];
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    size_t space = lines[i].find(' ');
    if (space == std::string::npos || !is_regular(lines[i].substr(space + 1))) return std::nullopt;
    closure.libraries.push_back({lines[i].substr(0, space), lines[i].substr(space + 1)});
  }
  return closure;
}

Result<image::LibraryClosure> closure_of(const fs::path& exe, const fs::path& native_module,
                                         const fs::path& cache_dir) {
  std::string key = image::Digest::of(fmt::format("closure v1\n{}\n{}\n", identity(exe),
                                                  native_module.empty() ? "" : identity(native_module)))
                        .str()
                        .substr(7);
  fs::path file = cache_dir / "closures" / key;
  if (auto known = read_closure(file)) return *known;
  auto closure = image::shared_library_closure(exe);
  if (!closure) return std::move(closure).error();
  if (closure->interpreter.empty()) return packaging(exe.string() + " has no program interpreter");
  if (!native_module.empty()) {
    auto app = image::shared_library_closure(native_module);
    if (!app) return std::move(app).error();
    for (const auto& lib : app->libraries) {
      if (std::find_if(closure->libraries.begin(), closure->libraries.end(), [&](const auto& l) {
            return l.name == lib.name;
          }) == closure->libraries.end()) {
        closure->libraries.push_back(lib);
      }
    }
  }
  std::string text = closure->interpreter.string() + "\n";
  for (const auto& lib : closure->libraries) text += lib.name + " " + lib.path.string() + "\n";
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (!ec) (void)write_file_atomic(file, text);  // only a shortcut: failing to keep it is fine
  return closure;
}

}  // namespace

Result<RuntimeInputs> runtime_inputs(const fs::path& native_module, const fs::path& cache_dir) {
  RuntimeInputs in;
  std::error_code ec;
  in.exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return packaging("cannot find gc-ssf's own binary: " + ec.message());
  auto closure = closure_of(in.exe, native_module, cache_dir);
  if (!closure) return std::move(closure).error();
  in.interpreter = closure->interpreter;
  in.libraries = closure->libraries;
  auto shim = apphost::find_shim_dir();
  if (!shim) return std::move(shim).error();
  in.shim_dir = *shim;
  for (auto it = fs::recursive_directory_iterator(*shim, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() == "__pycache__") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) in.shim_files.push_back(it->path().lexically_relative(*shim));
  }
  if (ec) return packaging(fmt::format("cannot read {}: {}", shim->string(), ec.message()));
  std::sort(in.shim_files.begin(), in.shim_files.end());
  return in;
}

Result<image::Digest> runtime_key(const RuntimeInputs& in, int64_t epoch,
                                  const image::LayerOptions& options) {
  image::Sha256 key;
  key.update(fmt::format("gc-ssf runtime layer v1\nepoch {}\nlevel {}\n{}\n{}\n", epoch,
                         options.compression_level, identity(in.exe), identity(in.interpreter)));
  for (const auto& lib : in.libraries) key.update(lib.name + " " + identity(lib.path) + "\n");
  for (const auto& f : in.shim_files) key.update(identity(in.shim_dir / f) + "\n");
  return key.finish();
}

Result<image::LayerSpec> runtime_layer(const RuntimeInputs& in, int64_t epoch) {
  using image::LayerEntry;
  image::LayerSpec spec;
  spec.mtime = epoch;
  // Debug sections are half of a RelWithDebInfo binary and of no use in an image.
  auto temp = TempDir::create("gc-ssf-runtime-");
  if (!temp) return std::move(temp).error();
  fs::path stripped = temp->path() / "gc-ssf";
  auto strip = run_process({"objcopy", "--strip-debug", in.exe.string(), stripped.string()});
  auto bytes = read_file(strip && strip->exit_code == 0 ? stripped : in.exe);
  if (!bytes) return std::move(bytes).error();
  SSF_TRY(image::set_elf_interpreter(*bytes, kInterpreter));
  const std::string root(kRuntimeDir);
  spec.entries.push_back(LayerEntry{LayerEntry::Kind::File, root + "/bin/gc-ssf", 0755, {},
                                    std::move(*bytes), {}});
  spec.entries.push_back(
      LayerEntry{LayerEntry::Kind::File, root + "/lib/ld.so", 0755, in.interpreter, {}, {}});
  for (const auto& lib : in.libraries) {
    spec.entries.push_back(
        LayerEntry{LayerEntry::Kind::File, root + "/lib/" + lib.name, 0644, lib.path, {}, {}});
  }
  for (const auto& f : in.shim_files) {
    spec.entries.push_back(LayerEntry{LayerEntry::Kind::File,
                                      root + "/share/gc-ssf/python/" + f.generic_string(), 0644,
                                      in.shim_dir / f, {}, {}});
  }
  return spec;
}

image::HistoryEntry history(std::string_view what, int64_t epoch) {
  return image::HistoryEntry{image::rfc3339(epoch), fmt::format("gc-ssf package: {}", what),
                             "gc-ssf", "", false};
}

image::ImageConfig image_config(const image::BaseImage& base, const config::Config& config,
                                const std::string& config_in_image, int64_t epoch) {
  const auto& app = config.application;
  image::ImageConfig c = base.config;
  c.architecture = "amd64";
  c.os = "linux";
  c.created = image::rfc3339(epoch);
  c.author = "gc-ssf";
  auto& cc = c.config;
  // SSF_OPTIONS is split by gc-ssf itself (no shell needed in the image) and appended.
  cc.entrypoint = std::vector<std::string>{std::string(kExe), "--options-from-env", "SSF_OPTIONS"};
  if (config_in_image.empty()) {
    cc.cmd = std::vector<std::string>{};
  } else {
    cc.cmd = std::vector<std::string>{"--config", config_in_image, "run"};
  }
  cc.working_dir = "/src";
  if (std::find(cc.exposed_ports.begin(), cc.exposed_ports.end(), "8100/tcp") ==
      cc.exposed_ports.end()) {
    cc.exposed_ports.push_back("8100/tcp");
  }
  if (!cc.get_env("PATH")) {
    cc.set_env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  }
  cc.healthcheck = image::Healthcheck{
      {"CMD", std::string(kExe), "--ssf-health-check"},
      10'000'000'000,                                   // every 10 s
      5'000'000'000,                                    // 5 s each
      static_cast<int64_t>(app.startup_timeout) * 1'000'000'000,  // failures while starting do not count
      3};
  auto& labels = cc.labels;
  labels["ai.graphcore.ssf.base.image"] = base.name;
  labels["ai.graphcore.ssf.name"] = "Simple Server Framework";
  labels["ai.graphcore.ssf.description"] = "Simple Server Framework (gc-ssf)";
  labels["ai.graphcore.ssf.version"] = std::string(config::kSsfVersion);
  labels["ai.graphcore.ssf.application.name"] = app.name;
  labels["ai.graphcore.ssf.application.description"] = app.desc;
  labels["ai.graphcore.ssf.application.version"] = app.version;
  labels["org.opencontainers.image.title"] = app.name;
  labels["org.opencontainers.image.version"] = app.version;
  labels["org.opencontainers.image.created"] = image::rfc3339(epoch);
  labels["org.opencontainers.image.base.name"] = base.name;
  if (base.manifest_descriptor) {
    labels["org.opencontainers.image.base.digest"] = base.manifest_descriptor->digest.str();
  } else {
    labels.erase("org.opencontainers.image.base.digest");
  }
  return c;
}

}  // namespace ssf::cli::package
