// The `application` section (upstream's init_application_config and init_package_config).

#include "config/internal.h"

namespace fs = std::filesystem;

namespace ssf::config::internal {

namespace {

// Assigns a present field; leaves the default otherwise.
#define SSF_READ(target, expr)                           \
  do {                                                   \
    auto ssf_read_ = (expr);                             \
    if (!ssf_read_) return std::move(ssf_read_).error(); \
    if (*ssf_read_) target = **ssf_read_;                \
  } while (0)

#define SSF_READ_LIST(target, expr)                      \
  do {                                                   \
    auto ssf_read_ = (expr);                             \
    if (!ssf_read_) return std::move(ssf_read_).error(); \
    target = std::move(*ssf_read_);                      \
  } while (0)

Result<PackageSpec> build_package(const Value& app, const Fields& fields, const Application& a,
                                  const LoadOptions& options) {
  PackageSpec package;
  package.name = a.id + "." + a.version + ".tar.gz";
  package.tag = a.id + ":" + a.version;
  package.baseimage = std::string(kPackageDefaultBaseImage);
  auto section = fields.map(app, "package", "application.package");
  if (!section) return std::move(section).error();
  std::optional<std::string> docker_baseimage;
  if (const Value* p = *section) {
    SSF_READ(package.name, fields.string(*p, "name", "application.package.name"));
    SSF_READ(package.tag, fields.string(*p, "tag", "application.package.tag"));
    SSF_READ_LIST(package.inclusions,
                  fields.string_list(*p, "inclusions", "application.package.inclusions"));
    SSF_READ_LIST(package.exclusions,
                  fields.string_list(*p, "exclusions", "application.package.exclusions"));
    auto docker = fields.map(*p, "docker", "application.package.docker");
    if (!docker) return std::move(docker).error();
    if (const Value* d = *docker) {
      SSF_READ(docker_baseimage,
               fields.string(*d, "baseimage", "application.package.docker.baseimage"));
      SSF_READ(package.docker_run, fields.string(*d, "run", "application.package.docker.run"));
    }
    if (p->find("baseimage")) {
      // The G-Core Whisper config has it here; upstream ignores it silently.
      log::warning(
          "{}: application.package.baseimage is not a recognised field (use "
          "application.package.docker.baseimage); it is ignored.",
          fields.display());
    }
  }
  if (options.package_baseimage) {
    package.baseimage = *options.package_baseimage;
  } else if (docker_baseimage) {
    package.baseimage = *docker_baseimage;
  }
  return package;
}

Result<Dependencies> build_dependencies(const Value& app, const Fields& fields,
                                        const fs::path& dir) {
  Dependencies deps;
  auto section = fields.map(app, "dependencies", "application.dependencies");
  if (!section) return std::move(section).error();
  const Value* d = *section;
  if (!d) return deps;

  for (const auto& [key, value] : d->as_map()) {
    if (key != "python" && key != "poplar" && key != "poplar_wheels" && key != "poplar_location") {
      log::warning(
          "Only python, poplar, poplar_wheels and poplar_location dependencies are supported. "
          "Other packages will not be installed.");
    }
  }

  SSF_READ(deps.python, fields.string(*d, "python", "application.dependencies.python"));
  if (deps.python) {
    for (const auto& item : split(*deps.python, ',')) {
      std::string_view spec = trim(item);
      if (spec.empty()) continue;
      if (spec.find(".txt") != std::string_view::npos) {
        deps.requirements.push_back((dir / spec).lexically_normal());
      } else {
        for (auto& word : split_whitespace(spec)) deps.pip_specs.push_back(std::move(word));
      }
    }
  }

  // A single version is accepted as a one-item list: upstream tests membership with `in`, which a
  // plain string passes by substring.
  if (const Value* poplar = Fields::find(*d, "poplar"); poplar && poplar->is_scalar()) {
    deps.poplar = std::vector<std::string>{poplar->python_str()};
  } else if (poplar) {
    SSF_READ_LIST(deps.poplar, fields.string_list(*d, "poplar", "application.dependencies.poplar"));
  }
  SSF_READ(deps.poplar_location,
           fields.string(*d, "poplar_location", "application.dependencies.poplar_location"));
  if (const Value* wheels = Fields::find(*d, "poplar_wheels"); wheels && wheels->is_scalar()) {
    for (const auto& item : split(wheels->python_str(), ',')) {
      if (!trim(item).empty()) deps.poplar_wheels.emplace_back(trim(item));
    }
  } else if (wheels) {
    SSF_READ_LIST(deps.poplar_wheels, fields.string_list(*d, "poplar_wheels",
                                                         "application.dependencies.poplar_wheels"));
  }

  if (!deps.poplar) {
    for (std::string_view key : {"poplar_wheels", "poplar_location"}) {
      if (const Value* node = Fields::find(*d, key)) {
        return fields.error(node->mark(), "application.dependencies." + std::string(key),
                            "requires application.dependencies.poplar to be set");
      }
    }
  }
  return deps;
}

}  // namespace

Result<Application> build_application(const Value& root, const Fields& fields,
                                      const fs::path& config_file, const LoadOptions& options,
                                      bool self_package) {
  const Value* app = root.find("application");
  if (!app) return fields.missing(root, "application", "application");
  if (app->kind() != Value::Kind::Map) return fields.wrong_kind(*app, "application", "map");

  Application a;
  SSF_READ(a.id, fields.string(*app, "id", "application.id"));
  SSF_TRY(fields.check_id(a.id, *app, "id", "application.id"));
  SSF_READ(a.name, fields.string(*app, "name", "application.name"));
  SSF_READ(a.version, fields.string(*app, "version", "application.version"));
  SSF_READ(a.license_name, fields.string(*app, "license_name", "application.license_name"));
  SSF_READ(a.license_url, fields.string(*app, "license_url", "application.license_url"));
  SSF_READ(a.terms_of_service,
           fields.string(*app, "terms_of_service", "application.terms_of_service"));
  SSF_READ(a.startup_timeout,
           fields.integer(*app, "startup_timeout", "application.startup_timeout"));
  auto package = build_package(*app, fields, a, options);
  if (!package) return std::move(package).error();
  a.package = std::move(*package);
  if (self_package) {
    log::info("Self packaging/publishing SSF with reduced config.");
    return a;
  }

  SSF_READ(a.desc, fields.string(*app, "desc", "application.desc"));
  SSF_READ_LIST(a.artifacts, fields.string_list(*app, "artifacts", "application.artifacts"));
  SSF_READ(a.trace, fields.boolean(*app, "trace", "application.trace"));
  SSF_READ(a.ipus, fields.integer(*app, "ipus", "application.ipus"));
  SSF_READ(a.max_batch_size, fields.integer(*app, "max_batch_size", "application.max_batch_size"));

  a.dir = config_file.parent_path();
  std::vector<std::string> syspaths;
  SSF_READ_LIST(syspaths, fields.string_list(*app, "syspaths", "application.syspaths"));
  for (const auto& p : syspaths) a.syspaths.push_back((a.dir / p).lexically_normal());

  auto module = fields.string(*app, "module", "application.module");
  if (!module) return std::move(module).error();
  if (!*module) return fields.missing(*app, "module", "application.module");
  fs::path relative = (a.dir / **module).lexically_normal();
  std::error_code ec;
  if (fs::is_regular_file(relative, ec)) {
    a.module = relative;
  } else {
    log::warning("Application file not found relative to config - using specified module path.");
    a.module = **module;
  }
  a.file_dir = fs::absolute(a.module, ec).lexically_normal().parent_path();
  fs::path cwd = options.cwd.empty() ? fs::current_path(ec) : options.cwd;
  a.venv_dir = cwd / ("ssf-" + a.id + "-venv");

  auto deps = build_dependencies(*app, fields, a.dir);
  if (!deps) return std::move(deps).error();
  a.dependencies = std::move(*deps);
  return a;
}

#undef SSF_READ
#undef SSF_READ_LIST

}  // namespace ssf::config::internal
