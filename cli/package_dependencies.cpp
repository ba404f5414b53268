// The dependencies layer: dependencies.python installed at package time, on the packaging host,
// with pip (`pip install --target`), since the container may have no network and no pip:
//   /opt/ssf/deps/python/...        the installed packages (on PYTHONPATH in the image's Env)
//   /src/ssf-<id>-venv/pyvenv.cfg   a venv skeleton where `run` looks for the app's venv
//   /src/ssf-<id>-venv/bin/python   -> /usr/bin/python3 (the base's interpreter)
// so that `run` in the container finds the venv made and installs nothing. Pure-Python packages
// work on any base; packages with compiled parts need the base's Python to match the host's.
// No .pyc files are written (--no-compile): they hold timestamps and would break reproducibility.

#include "package_dependencies.h"

#include <sys/stat.h>

#include <algorithm>

#include "apphost/apphost.h"

namespace fs = std::filesystem;

namespace ssf::cli::package {
namespace {

Error install_error(std::string message) {
  return Error(ResultCode::PackagingError, std::move(message));
}

}  // namespace

bool has_python_dependencies(const config::Config& config) {
  const auto& deps = config.application.dependencies;
  return !deps.requirements.empty() || !deps.pip_specs.empty();
}

Result<image::Digest> dependencies_key(const config::Config& config, int64_t epoch) {
  const auto& deps = config.application.dependencies;
  image::Sha256 key;
  key.update(fmt::format("gc-ssf dependencies layer v1\nepoch {}\npython {}\nid {}\n", epoch,
                         apphost::system_python().string(), config.application.id));
  for (const auto& spec : deps.pip_specs) key.update("spec " + spec + "\n");
  for (const auto& file : deps.requirements) {
    auto d = image::Digest::of_file(file);
    if (!d) return std::move(d).error();
    key.update("requirements " + file.string() + " " + d->str() + "\n");
  }
  return key.finish();
}

Result<image::LayerSpec> dependencies_layer(const config::Config& config, int64_t epoch,
                                            const fs::path& work) {
  const auto& deps = config.application.dependencies;
  fs::path target = work / "python";
  std::vector<std::string> argv = {apphost::system_python().string(), "-m", "pip", "install",
                                   "--no-input", "--disable-pip-version-check", "--no-compile",
                                   "--target", target.string()};
  for (const auto& file : deps.requirements) {
    argv.push_back("-r");
    argv.push_back(file.string());
  }
  argv.insert(argv.end(), deps.pip_specs.begin(), deps.pip_specs.end());
  log::info("Installing python dependencies {}", join(deps.pip_specs, " "));
  ProcessOptions po;
  po.cwd = config.application.dir;
  auto out = run_process(argv, po);
  if (!out) return install_error("pip: " + out.error().message());
  for (const auto& line : split(out->out, '\n')) {
    if (!trim(line).empty()) log::debug("pip {}", line);
  }
  if (out->exit_code != 0) {
    auto lines = split(std::string(trim(out->out)), '\n');
    return install_error(fmt::format("installing dependencies.python failed ({}): {}",
                                     out->exit_code, lines.empty() ? "" : lines.back()));
  }

  image::LayerSpec spec;
  spec.mtime = epoch;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(target, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->path().filename() == "__pycache__") {
      it.disable_recursion_pending();
      continue;
    }
    std::string in_image =
        std::string(kDepsDir) + "/" + it->path().lexically_relative(target).generic_string();
    if (it->is_symlink()) {
      spec.entries.push_back(image::LayerEntry{image::LayerEntry::Kind::Symlink, in_image, 0777,
                                               {}, {}, fs::read_symlink(it->path()).string()});
    } else if (it->is_regular_file()) {
      struct stat st {};
      bool exec = ::stat(it->path().c_str(), &st) == 0 && (st.st_mode & 0111);
      spec.entries.push_back(image::LayerEntry{image::LayerEntry::Kind::File, in_image,
                                               exec ? 0755u : 0644u, it->path(), {}, {}});
    }
  }
  if (ec) return install_error(fmt::format("cannot read {}: {}", target.string(), ec.message()));
  std::string venv = "src/ssf-" + config.application.id + "-venv";
  spec.entries.push_back(image::LayerEntry{
      image::LayerEntry::Kind::File, venv + "/pyvenv.cfg", 0644, {},
      std::string("home = /usr/bin\ninclude-system-site-packages = true\n"), {}});
  spec.entries.push_back(image::LayerEntry{image::LayerEntry::Kind::Symlink,
                                           venv + "/bin/python", 0777, {}, {},
                                           "/usr/bin/python3"});
  return spec;
}

}  // namespace ssf::cli::package
